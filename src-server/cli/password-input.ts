import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { UsageError } from './cli-error';

/** Asks for a password; the CLI never takes one from its arguments, where shell history and `ps` would keep it. */
export type ReadPassword = (prompt: string) => Promise<string>;

/** The first line of standard input when it is a pipe or a file: `npm run admin -- add-operator T1 王老师 < pw.txt`. */
async function firstLine(input: NodeJS.ReadableStream): Promise<string> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  throw new UsageError('标准输入中没有密码（请在提示时输入，或把密码放在文件第一行后用 < 文件 传入）');
}

/** Typed at a terminal without echo, asked twice so that a typo does not become the password. */
async function typed(prompt: string, input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<string> {
  let muted = false;
  const sink = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) output.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input, output: sink, terminal: true });
  const ask = (question: string) =>
    new Promise<string>((resolve) => {
      muted = false;
      rl.question(question, (answer) => {
        output.write('\n');
        resolve(answer);
      });
      muted = true;
    });
  try {
    const first = await ask(prompt);
    const again = await ask('再输入一次：');
    if (first !== again) throw new UsageError('两次输入的密码不一致，未做改动');
    return first;
  } finally {
    rl.close();
  }
}

/** Standard input as the admin CLI reads passwords: a prompt at a terminal, otherwise its first line. */
export function stdinPassword(): ReadPassword {
  return (prompt) => (process.stdin.isTTY ? typed(prompt, process.stdin, process.stdout) : firstLine(process.stdin));
}
