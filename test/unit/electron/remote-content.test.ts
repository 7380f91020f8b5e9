import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, APP_SCHEME_PRIVILEGES, APP_START_URL } from '../../../main/electron/app-origin.js';
import { REMOTE_URL_PATTERNS, requestAllowed } from '../../../main/electron/security/requests.js';

/** Electron security checklist 1 (only load secure content) and 18 (avoid file://; use a custom protocol). */
describe('content the window loads', () => {
  it('is the app itself, from app://edgecab/', () => {
    expect(APP_START_URL).toBe('app://edgecab/index.html');
    expect(APP_START_URL.startsWith(`${APP_ORIGIN}/`)).toBe(true);
  });

  it('comes over a scheme that is a secure, standard origin and does not bypass the CSP or CORS', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ standard: true, secure: true });
    expect(APP_SCHEME_PRIVILEGES).not.toHaveProperty('bypassCSP');
    expect(APP_SCHEME_PRIVILEGES).not.toHaveProperty('corsEnabled');
    expect(APP_SCHEME_PRIVILEGES).not.toHaveProperty('allowServiceWorkers');
  });

  it('never includes anything remote: the session cancels every http(s), ws(s) and ftp request', () => {
    expect([...REMOTE_URL_PATTERNS].sort()).toEqual(['ftp://*/*', 'http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*']);
    for (const url of ['https://tile.openstreetmap.org/1/0/0.png', 'http://127.0.0.1:4780/rpc', 'wss://example.com/socket', 'ftp://example.com/file']) {
      expect(requestAllowed(url), url).toBe(false);
    }
  });

  it('is app://, data: and blob: (images and tiles drawn in the page) only', () => {
    expect(requestAllowed('app://edgecab/tiles/osm/1/0/0.png')).toBe(true);
    expect(requestAllowed('data:image/png;base64,AAAA')).toBe(true);
    expect(requestAllowed('blob:app://edgecab/5f0e')).toBe(true);
    expect(requestAllowed('file:///etc/passwd')).toBe(false);
    expect(requestAllowed('chrome://gpu')).toBe(false);
  });
});
