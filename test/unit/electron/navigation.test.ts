import { describe, expect, it } from 'vitest';
import { navigationAllowed, windowOpenDecision } from '../../../main/electron/security/navigation.js';

/** Electron security checklist 13 (limit navigation) and 14 (limit creation of new windows). */
describe('navigation', () => {
  it.each(['app://edgecab/index.html', 'app://edgecab/index.html#/sites', 'app://edgecab/'])('stays inside the app: %s', (url) => {
    expect(navigationAllowed(url)).toBe(true);
  });

  it.each([
    'https://example.com/',
    'http://127.0.0.1:4780/',
    'file:///etc/passwd',
    'app://edgecab.evil/index.html',
    'app://evil/index.html',
    'app://user@edgecab/index.html',
    'app://edgecab:8080/index.html',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'about:blank',
    'not a url',
  ])('is refused to %s', (url) => {
    expect(navigationAllowed(url)).toBe(false);
  });
});

describe('new windows', () => {
  it('are never created; an https link goes to the system browser', () => {
    expect(windowOpenDecision('https://www.naturalearthdata.com/')).toEqual({ action: 'deny', openExternal: 'https://www.naturalearthdata.com/' });
  });

  it.each([
    'app://edgecab/index.html',
    'http://example.com/',
    'file:///C:/Windows/System32/calc.exe',
    'smb://attacker/share',
    'javascript:alert(1)',
    'https://user:password@example.com/',
    'ms-settings:',
    '',
  ])('are not created and nothing is opened for %s', (url) => {
    expect(windowOpenDecision(url)).toEqual({ action: 'deny', openExternal: null });
  });
});
