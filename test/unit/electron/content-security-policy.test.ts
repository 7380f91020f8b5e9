import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../main/core/api/content-security-policy.js';
import { appResponseHeaders, resolveAppFile } from '../../../main/electron/security/app-files.js';

function directives(policy: string): Map<string, string[]> {
  return new Map(policy.split(';').map((part) => part.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
}

/** Electron security checklist 7: a Content Security Policy, strict. */
describe('the Content-Security-Policy of every app:// answer', () => {
  const policy = directives(appResponseHeaders(new Headers({ 'content-type': 'text/html' })).get('Content-Security-Policy') ?? '');

  it('is the policy the server sends too', () => {
    expect(appResponseHeaders(new Headers()).get('Content-Security-Policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it("allows scripts only from the app's own files: no inline script, no eval, no remote host", () => {
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
  });

  it('names no remote source and no unsafe keyword in any directive', () => {
    for (const [name, values] of policy) {
      for (const value of values) {
        expect(value, name).not.toMatch(/unsafe-|https?:|wss?:|\*/);
        expect(["'self'", "'none'", 'data:', 'blob:'], `${name} ${value}`).toContain(value);
      }
    }
  });

  it('forbids plugins, <base> rewriting, framing and form posts', () => {
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'none'"]);
  });

  it('connects only to its own origin', () => {
    expect(policy.get('connect-src')).toEqual(["'self'"]);
  });

  it('replaces a CSP a file might bring and turns off MIME sniffing', () => {
    const headers = appResponseHeaders(new Headers({ 'Content-Security-Policy': "script-src 'unsafe-inline' *" }));
    expect(headers.get('Content-Security-Policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(headers.get('X-Content-Type-Options')).toBe('nosniff');
  });
});

describe('app:// files', () => {
  const root = mkdtempSync(join(tmpdir(), 'edgecab-app-files-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('come from inside the built renderer folder', () => {
    expect(resolveAppFile(root, '/assets/index-abc.js')).toBe(join(root, 'assets', 'index-abc.js'));
  });

  it.each(['/', '/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fetc%2fpasswd', '/%E0%A4%A', '/index.html%00.js', '/assets/'])(
    'never leave it: %s gives index.html',
    (pathname) => {
      expect(resolveAppFile(root, pathname)).toBe(join(root, 'index.html'));
    },
  );
});
