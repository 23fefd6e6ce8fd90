/**
 * The channel file as counters get it: the stored latest*.yml with the release's current
 * stagingPercentage, which electron-updater compares with its own per-install number.
 */
export function withStagingPercentage(yml: string, percentage: number): string {
  const lines = yml.split('\n').filter((line) => !line.startsWith('stagingPercentage:'));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (percentage < 100) lines.push(`stagingPercentage: ${percentage}`);
  return `${lines.join('\n')}\n`;
}
