import { isAppUrl } from '../app-origin.js';

/** A page may only navigate (or be redirected) within app://edgecab/; anything else is cancelled. */
export function navigationAllowed(url: string): boolean {
  return isAppUrl(url);
}

export interface WindowOpenDecision {
  /** Electron's answer: never a new Electron window. */
  readonly action: 'deny';
  /** An https link to hand to the system browser instead, if any. */
  readonly openExternal: string | null;
}

/**
 * window.open and target=_blank never create a window. A plain https link
 * (no credentials in it) goes to the system browser, where it has none of
 * the app's privileges; every other scheme (file:, javascript:, custom
 * protocol handlers of other apps…) is dropped.
 */
export function windowOpenDecision(url: string): WindowOpenDecision {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { action: 'deny', openExternal: null };
  }
  const external = parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '';
  return { action: 'deny', openExternal: external ? parsed.href : null };
}
