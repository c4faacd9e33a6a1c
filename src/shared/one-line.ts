// Error lines never echo raw bytes: the first line of a message, with control characters (an
// escape sequence from a file, a NUL) written as visible escapes, so a terminal or a page shows
// what was wrong instead of acting on it.

// eslint-disable-next-line no-control-regex -- control characters are what is matched
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export function oneLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n')[0].replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
