import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * The command line of an npm script (demo, counter): strict options, and every mistake ends the
 * script with one Chinese line, "无法启动<what>：…", instead of a stack trace.
 */
export function scriptOptions(what: string, help: string) {
  const fail = (message: string): never => {
    console.error(`无法启动${what}：${message}`);
    process.exit(1);
  };
  const int = (value: string, min: number, max: number, label: string, range = `（${min} 到 ${max}）`): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) fail(`${label} "${value}" 不正确${range}`);
    return n;
  };
  return {
    fail,
    /** A whole number from min to max, or the script ends naming it. */
    int,
    port: (value: string): number => int(value, 0, 65535, '端口', ''),
    parse<T extends ParseArgsConfig['options']>(options: T) {
      try {
        return parseArgs({ options, strict: true }).values;
      } catch (e) {
        return fail(`${(e as Error).message}\n${help}`);
      }
    },
  };
}
