import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFromCore, parseToCore } from '../../../main/electron/core-messages.js';
import { CORE_PORT_CHANNEL, parseCoreNotice } from '../../../main/electron/ipc-channel.js';
import { DESKTOP_PORT_MESSAGE, parsePageNotice } from '../../../renderer/api/desktop-link.js';

const root = join(import.meta.dirname, '../../..');
const electronDir = join(root, 'main/electron');

/** Code without its comments, which may well name what the code must not use. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
}

function sources(dir: string): { path: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [{ path: relative(root, path).split('\\').join('/'), text: code(readFileSync(path, 'utf8')) }] : [];
  });
}

/** Electron security checklist 17: validate the sender (and shape) of all IPC messages — here, by having one channel, main → preload only. */
describe('IPC', () => {
  const files = sources(electronDir);

  it('has no renderer → main channel at all: no ipcMain handler anywhere in the desktop host', () => {
    for (const { path, text } of files) expect(text, path).not.toMatch(/\bipcMain\b/);
  });

  it('is used by the preload only, and only to listen', () => {
    const users = files.filter(({ text }) => /\bipcRenderer\b/.test(text)).map(({ path }) => path);
    expect(users).toEqual(['main/electron/preload.ts']);
    const preload = files.find(({ path }) => path === 'main/electron/preload.ts')!.text;
    expect(preload).not.toMatch(/ipcRenderer\.(send|sendSync|invoke|postMessage|sendToHost)\b/);
  });

  it('sends to windows only on the one channel, through WindowPorts', () => {
    const senders = files.filter(({ text }) => /webContents\.(postMessage|send)\(/.test(text)).map(({ path }) => path);
    expect(senders).toEqual(['main/electron/window-ports.ts']);
    expect(files.find(({ path }) => path === 'main/electron/window-ports.ts')!.text).toMatch(/postMessage\(CORE_PORT_CHANNEL,/);
  });

  it('is the channel and message shape the renderer expects', () => {
    expect(DESKTOP_PORT_MESSAGE).toBe(CORE_PORT_CHANNEL);
    const notice = parseCoreNotice({ kind: 'connect', restarts: 3 }, 1);
    expect(parsePageNotice({ type: CORE_PORT_CHANNEL, ...notice })).toEqual({ kind: 'connect', restarts: 3 });
    expect(parsePageNotice({ type: CORE_PORT_CHANNEL, kind: 'stopped', restarts: 3 })).toEqual({ kind: 'stopped', restarts: 3 });
    expect(parsePageNotice({ type: 'other', kind: 'stopped', restarts: 3 })).toBeNull();
    expect(parsePageNotice(CORE_PORT_CHANNEL)).toBeNull();
  });
});

describe('messages between the main process and the core process', () => {
  it('carry the credential key as bytes, or null', () => {
    const key = new Uint8Array(32).fill(7);
    expect(parseToCore({ type: 'start', vaultKey: key })).toEqual({ type: 'start', vaultKey: key });
    expect(parseToCore({ type: 'start', vaultKey: null })).toEqual({ type: 'start', vaultKey: null });
    expect(parseToCore({ type: 'start', vaultKey: 'c2VjcmV0' })).toBeNull();
    expect(parseToCore({ type: 'start' })).toBeNull();
  });

  it('drop shapes they do not know', () => {
    expect(parseToCore('connect')).toBeNull();
    expect(parseToCore({ type: 'tile', requestId: '1', pathname: '/tiles/a' })).toBeNull();
    expect(parseFromCore({ type: 'tile', requestId: 1, status: 500 })).toBeNull();
    expect(parseFromCore({ type: 'background-error', kind: 'oops', message: 'x' })).toBeNull();
    expect(parseFromCore({ type: 'shell', command: 'rm -rf /' })).toBeNull();
  });

  it('report background failures of the core', () => {
    expect(parseFromCore({ type: 'background-error', kind: 'unhandledRejection', message: 'ECONNRESET' })).toEqual({
      type: 'background-error',
      kind: 'unhandledRejection',
      message: 'ECONNRESET',
    });
  });
});
