// Where the command line prints: the process's stdout and stderr, or, while runCli runs in a test,
// the strings it collects. (Replacing process.stdout.write instead would also swallow what the
// test runner itself sends through stdout.)
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

export const io: CliIo = { ...processIo };

/** Runs f with the command line's output going to `sink`, then puts the process's streams back. */
export async function withIo<T>(sink: CliIo, f: () => Promise<T>): Promise<T> {
  const saved = { ...io };
  Object.assign(io, sink);
  try {
    return await f();
  } finally {
    Object.assign(io, saved);
  }
}
