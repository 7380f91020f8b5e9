import type { IncomingMessage } from 'node:http';

export function readCookie(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index === -1) continue;
    if (part.slice(0, index).trim() === name) {
      try {
        return decodeURIComponent(part.slice(index + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

export interface CookieOptions {
  secure: boolean;
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
}

/** HttpOnly, SameSite=Strict, Path=/ always; Secure under TLS. */
export function sessionCookie(name: string, value: string, options: CookieOptions): string {
  return [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${options.maxAge}`, ...(options.secure ? ['Secure'] : [])].join('; ');
}

/** Under TLS the cookie takes the __Host- prefix: browsers then refuse it unless Secure, Path=/ and without Domain. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-edgecab_session' : 'edgecab_session';
}
