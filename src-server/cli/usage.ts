export const USAGE = `离校办理台 中心服务器管理工具

用法: npm run admin -- <命令> [参数] [选项]
      npm run server [-- --port 8787 --tls-cert 证书.pem --tls-key 私钥.pem]

命令:
  init                                      初始化（或升级）数据库
  create-batch <定义.json>                  根据批次定义文件创建离校批次
  roster-template <批次> <输出.xlsx>        生成该批次的花名册模板
  import-roster <批次> <花名册.xlsx>        导入花名册；默认有任何错误就整体不导入
        --skip-invalid                      只导入没有问题的行，并列出有问题的行
        --withdraw-missing --reason <原因>  确认把文件中没有的学生退出本批次（默认只列出他们）
  roster-withdraw <批次> <学号>... --reason <原因>
                                            学生退出本批次（延期毕业、结业、退学）；记录保留，不再办理和统计
  roster-restore <批次> <学号>...           把退出的学生恢复到本批次
  add-operator <工号> <姓名>                添加操作员（已存在则更新姓名和密码）；密码在提示时输入
                                            （不回显），或从标准输入读第一行：... < 密码文件
  registration-code [--hours <小时>]        生成一次性的柜台注册码（默认 24 小时内有效）；登记柜台时除了工号密码还需要它
  unlock <工号>                             清除该工号的密码错误记录（本人被别人输错密码拖慢时）
  grant <工号> <离校点> [--college <学院>]...
                                            授予离校点权限；学院离校点可按学院授权
  console-role <工号> admin|leader|operator [--college <学院>]... [--class <学院/班级>]...
                                            设置管理控制台角色：管理员、领导查询（全校、某些学院或某些班级）、操作员
  devices list                              列出已登记的柜台
  devices revoke <设备编号>                 停用柜台（其令牌立即失效）
  devices rejected [<设备编号>]             列出服务器拒绝的柜台操作及原因（操作本身都保留）
  api-key create <编号> <名称> <批次> <环节>... [--authoritative <环节>]...
                                            为图书馆、财务等系统创建接口密钥；--authoritative 的环节，
                                            其完整名单可撤销本系统做过、名单中已没有的通过
  api-key revoke <编号>                     停用接口密钥
  publish-update <文件夹> [--stage <百分比>]
                                            发布柜台新版本（npm run dist 的输出文件夹 dist/）；
                                            逐个核对 sha512，有任何不符则整体不发布
  updates list                              列出已发布的柜台版本
  updates withdraw <版本>                   撤回一个版本（柜台不再下载它）
  updates stage <版本> <百分比>             只推送给约该比例的柜台（100 = 全部）
  seed-demo [--size <人数>]                 写入演示批次、花名册和演示操作员
  backup --out <文件.ndjson.gz>             备份整个数据库（服务器运行中也可备份）
  restore --from <文件.ndjson.gz>           把备份恢复到一个空数据库，并通知各柜台重新同步
  import-rescue <救援文件.json>             上传柜台写出的救援文件中未上传的操作（每个操作只记一次，
                                            重复导入无妨；已停用柜台的救援文件也可导入）
  restore-losses                            列出恢复后各柜台报告的、服务器上已丢失的办理记录（按来源）
  serve [--port <端口>] [--host <地址>]     启动服务器
        --tls-cert <证书.pem> --tls-key <私钥.pem>
                                            使用 HTTPS（柜台连接其他机器上的服务器时必须）
        --trust-proxy                       在本机 nginx 之后运行：按 X-Forwarded-For 识别柜台地址
  tls-self-signed --host <IP 或主机名> [--out <目录>]
                                            为没有证书的学校生成自签名证书和私钥（默认写到 .data/tls）
  tls-fingerprint [--tls-cert <证书.pem>]   显示证书的 SHA-256 指纹，读给柜台人员核对

数据库:
  默认使用内嵌 PGlite，数据目录 .data/server（--data-dir <目录> 可改）；
  设置环境变量 DATABASE_URL=postgres://… 则使用 PostgreSQL。

退出码: 0 成功；1 操作失败（数据有误等）；2 命令用法错误。`;
