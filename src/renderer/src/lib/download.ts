// Saving from the page in browser mode: a Blob handed to the browser's own download.
export function downloadText(filename: string, text: string, type = 'text/plain'): void {
  downloadUrl(filename, URL.createObjectURL(new Blob([text], { type })), true);
}

export function downloadUrl(filename: string, url: string, revoke = false): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  if (revoke) setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function safeFileName(name: string): string {
  return (
    name
      .replace(/[^\w.-]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 80) || 'export'
  );
}
