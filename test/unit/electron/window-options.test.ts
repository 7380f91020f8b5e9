import { describe, expect, it } from 'vitest';
import { windowOptions } from '../../../main/electron/security/window-options.js';

/** Electron security checklist: sandbox, context isolation, no Node integration, web security, no <webview>. */
describe('the BrowserWindow options', () => {
  const prefs = windowOptions('/app/dist/electron/preload.cjs').webPreferences!;

  it('sandbox the renderer (checklist 4: enable process sandboxing)', () => {
    expect(prefs.sandbox).toBe(true);
  });

  it('isolate the preload from the page (checklist 3: context isolation)', () => {
    expect(prefs.contextIsolation).toBe(true);
  });

  it('give the page no Node, in workers and subframes neither (checklist 2: no Node.js integration for remote content)', () => {
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keep the same-origin policy and mixed-content blocking on (checklists 6 and 8: webSecurity, allowRunningInsecureContent)', () => {
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
  });

  it('enable no experimental or Blink features (checklists 9 and 10)', () => {
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
  });

  it('allow no <webview> (checklist 11) and no navigation by dropping a file', () => {
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.navigateOnDragDrop).toBe(false);
  });

  it('load only the given preload, and no other script into the page', () => {
    expect(prefs.preload).toBe('/app/dist/electron/preload.cjs');
    expect(prefs).not.toHaveProperty('additionalArguments');
  });
});
