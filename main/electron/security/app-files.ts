import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../../core/api/content-security-policy.js';

/**
 * The file an app:// path names inside the built renderer folder. Anything
 * that would leave it (../, encoded %2e%2e%2f, NUL) and the folder itself
 * give index.html: the single-page app routes itself (by the URL's hash).
 */
export function resolveAppFile(root: string, pathname: string): string {
  const index = join(root, 'index.html');
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return index;
  }
  if (decoded.includes('\0')) return index;
  const path = normalize(join(root, decoded));
  const inside = relative(root, path);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside) || path.endsWith(sep)) return index;
  return path;
}

/** Headers every app:// answer carries: the strict CSP (the same the server sends) and no MIME sniffing. */
export function appResponseHeaders(from: Headers): Headers {
  const headers = new Headers(from);
  headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  headers.set('X-Content-Type-Options', 'nosniff');
  return headers;
}
