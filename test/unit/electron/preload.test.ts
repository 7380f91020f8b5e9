import { describe, expect, it } from 'vitest';
import { CORE_PORT_CHANNEL, type PageCoreNotice } from '../../../main/electron/ipc-channel.js';
import { BRIDGE_KEY, installPreloadBridge, type DesktopBridge } from '../../../main/electron/preload-bridge.js';

interface FakePort {
  id: number;
}

/** Runs the preload's logic with recording fakes in place of contextBridge, ipcRenderer and window. */
function runPreload() {
  const exposed: [string, DesktopBridge][] = [];
  const channels = new Map<string, (data: unknown, ports: readonly FakePort[]) => void>();
  const posted: [PageCoreNotice, readonly FakePort[]][] = [];
  installPreloadBridge<FakePort>({
    exposeInMainWorld: (key, api) => exposed.push([key, api]),
    onMainMessage: (channel, listener) => channels.set(channel, listener),
    postToPage: (message, ports) => posted.push([message, ports]),
    electronVersion: '39.8.10',
  });
  const deliver = (data: unknown, ports: FakePort[] = []) => channels.get(CORE_PORT_CHANNEL)?.(data, ports);
  return { exposed, channels, posted, deliver };
}

/** Electron security checklist 20: do not expose Electron APIs to untrusted web content. */
describe('the preload', () => {
  it('exposes one frozen object of two strings to the page: nothing callable, no ipcRenderer', () => {
    const { exposed } = runPreload();
    expect(exposed).toHaveLength(1);
    const [key, api] = exposed[0]!;
    expect(key).toBe(BRIDGE_KEY);
    expect(api).toEqual({ host: 'desktop', version: '39.8.10' });
    expect(Object.isFrozen(api)).toBe(true);
    for (const value of Object.values(api)) expect(typeof value).toBe('string');
  });

  it('listens to the one core-port channel and no other', () => {
    expect([...runPreload().channels.keys()]).toEqual([CORE_PORT_CHANNEL]);
  });

  it('forwards a port to the core to the page, with the restart count', () => {
    const { deliver, posted } = runPreload();
    const port = { id: 1 };
    deliver({ kind: 'connect', restarts: 2 }, [port]);
    expect(posted).toEqual([[{ type: CORE_PORT_CHANNEL, kind: 'connect', restarts: 2 }, [port]]]);
  });

  it('forwards the core-stopped notice, without ports', () => {
    const { deliver, posted } = runPreload();
    deliver({ kind: 'stopped', restarts: 0 });
    expect(posted).toEqual([[{ type: CORE_PORT_CHANNEL, kind: 'stopped', restarts: 0 }, []]]);
  });

  it.each([
    ['no port with connect', { kind: 'connect', restarts: 0 }, 0],
    ['two ports', { kind: 'connect', restarts: 0 }, 2],
    ['a port with stopped', { kind: 'stopped', restarts: 0 }, 1],
    ['an unknown kind', { kind: 'eval', restarts: 0 }, 1],
    ['a negative count', { kind: 'connect', restarts: -1 }, 1],
    ['a fractional count', { kind: 'connect', restarts: 1.5 }, 1],
    ['a string count', { kind: 'connect', restarts: '1' }, 1],
    ['a bare string', 'edgecab:core-port', 1],
    ['null', null, 1],
  ])('drops a message with %s', (_name, data, portCount) => {
    const { deliver, posted } = runPreload();
    deliver(data, Array.from({ length: portCount }, (_, id) => ({ id })));
    expect(posted).toEqual([]);
  });

  it('passes on only the validated fields, never extra ones from the message', () => {
    const { deliver, posted } = runPreload();
    deliver({ kind: 'connect', restarts: 1, script: 'alert(1)' }, [{ id: 1 }]);
    expect(posted[0]![0]).toEqual({ type: CORE_PORT_CHANNEL, kind: 'connect', restarts: 1 });
  });
});
