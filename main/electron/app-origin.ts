/**
 * Where the renderer comes from: the built files served on a custom,
 * privileged scheme. Nothing is ever loaded from http(s) or file://.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'edgecab';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

/** Privileges of app:// (passed to protocol.registerSchemesAsPrivileged): a standard, secure origin; no CORS bypass, no service workers. */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, codeCache: true } as const;

/** True for app://edgecab/… only: parsed, so `app://edgecab.evil/`, `app://user@edgecab/` or `app://edgecab:99/` do not pass. */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.hostname === APP_HOST && parsed.port === '' && parsed.username === '' && parsed.password === '';
}
