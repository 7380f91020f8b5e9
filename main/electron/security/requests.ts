import { APP_SCHEME } from '../app-origin.js';

/**
 * Network requests the pages' session would make to the outside. The CSP
 * already forbids them; this second lock, in the session, cancels any that
 * slips through (a future CSP mistake, a navigation the handlers missed).
 * file:// is left out on purpose: the app:// handler reads the renderer's
 * files through it from the main process.
 */
export const REMOTE_URL_PATTERNS = ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*', 'ftp://*/*'] as const;

const ALLOWED_SCHEMES = new Set([`${APP_SCHEME}:`, 'data:', 'blob:', 'devtools:']);

/** The pages load app://, data: and blob: content and nothing remote. */
export function requestAllowed(url: string): boolean {
  try {
    return ALLOWED_SCHEMES.has(new URL(url).protocol);
  } catch {
    return false;
  }
}
