/**
 * Saves text as a file: a Blob and a temporary <a download>. A CSV starts
 * with a byte-order mark so that spreadsheet programs read its Chinese site
 * names as UTF-8 rather than the system's code page.
 */
export function downloadText(filename: string, text: string, type: string): void {
  const body = type.startsWith('text/csv') && !text.startsWith('\uFEFF') ? `\uFEFF${text}` : text;
  const url = URL.createObjectURL(new Blob([body], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
