/** One part of a multipart/form-data body, written by hand so that its framing can be wrong on purpose. */
export interface Part {
  /** The raw Content-Disposition value, e.g. `form-data; name="file"; filename="x.mbtiles"`. */
  disposition: string;
  contentType?: string;
  data: Buffer | string;
}

export function multipartBody(boundary: string, parts: readonly Part[], { close = true }: { close?: boolean } = {}): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${part.disposition}\r\n${part.contentType ? `Content-Type: ${part.contentType}\r\n` : ''}\r\n`));
    chunks.push(Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data));
    chunks.push(Buffer.from('\r\n'));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}
