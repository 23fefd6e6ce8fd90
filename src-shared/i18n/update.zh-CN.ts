/** The counter's self-update: header notice, 重启更新 refusals, failed downloads. */
export const updateText = {
  downloading: (version: string, percent: number | null) => `正在下载新版本 ${version}${percent === null ? '' : `（${Math.floor(percent)}%）`}`,
  ready: (version: string) => `新版本 ${version} 已下载`,
  install: '重启更新',
  installHint: '重启程序并安装新版本；未上传的操作保存在本机，更新后继续上传',
  failed: '新版本下载失败，已丢弃，稍后自动重试',
  notHere: '浏览器模式不能自动更新，请在安装版离校办理台中更新',
  busy: {
    call: '正在处理操作（办理、批量办理或导入），完成后再重启更新',
    rosterMerge: '正在下载花名册变动，完成后再重启更新',
    setup: '正在下载本柜台的数据，完成后再重启更新',
  },
  notReady: '还没有下载好的新版本',
  installFailed: (reason: string) => `无法重启更新：${reason}`,
};
