import { createORPCClient, ORPCError } from '@orpc/client';
import { os, type RouterClient } from '@orpc/server';
import { RPCHandler } from '@orpc/server/message-port';
import { afterEach, describe, expect, it } from 'vitest';
import { CORE_RESTARTED_CODE, DesktopCoreLink, type DesktopCoreStatus } from '../../../renderer/api/desktop-link.js';

/**
 * The renderer's desktop link against real oRPC MessagePort handlers (Node's
 * MessageChannel stands in for Electron's): each "core" is a handler that
 * names itself, so a test sees which port answered.
 */
function coreRouter(name: string) {
  return {
    whoami: os.handler(() => name),
    hang: os.handler(() => new Promise<string>(() => undefined)),
    ticks: os.handler(async function* () {
      yield `${name}:1`;
      await new Promise(() => undefined);
    }),
  };
}
type TestClient = RouterClient<ReturnType<typeof coreRouter>>;

const openPorts: MessagePort[] = [];
afterEach(() => openPorts.splice(0).forEach((port) => port.close()));

/** Starts a core named `name` and returns the renderer's end of a port to it. */
function startCore(name: string): MessagePort {
  const { port1, port2 } = new MessageChannel();
  new RPCHandler(coreRouter(name)).upgrade(port1);
  port1.start();
  openPorts.push(port1, port2);
  return port2;
}

function setup() {
  const link = new DesktopCoreLink();
  const statuses: DesktopCoreStatus[] = [];
  link.onStatus((status) => statuses.push(status));
  return { link, statuses, client: createORPCClient<TestClient>(link) };
}

async function expectCoreStopped(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ORPCError);
  expect((error as ORPCError<string, unknown>).code).toBe(CORE_RESTARTED_CODE);
  expect((error as Error).message).toMatch(/core stopped before answering/);
}

describe('the desktop link', () => {
  it('holds calls made before the first port and sends them once it arrives', async () => {
    const { link, client } = setup();
    const answer = client.whoami();
    link.attach(startCore('first'), 0);
    await expect(answer).resolves.toBe('first');
  });

  it('fails a call in flight when the core is replaced, and sends later calls to the new core', async () => {
    const { link, client, statuses } = setup();
    link.attach(startCore('first'), 0);
    await expect(client.whoami()).resolves.toBe('first');
    const inFlight = client.hang();
    link.attach(startCore('second'), 1);
    await expectCoreStopped(inFlight);
    await expect(client.whoami()).resolves.toBe('second');
    expect(statuses).toEqual([
      { restarts: 0, state: 'running' },
      { restarts: 1, state: 'running' },
    ]);
  });

  it('when told the core stopped, fails calls in flight and holds new ones for the next port', async () => {
    const { link, client, statuses } = setup();
    link.attach(startCore('first'), 0);
    const inFlight = client.hang();
    link.detach(0);
    await expectCoreStopped(inFlight);
    let settled = false;
    const held = client.whoami().finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);
    link.attach(startCore('restarted'), 1);
    await expect(held).resolves.toBe('restarted');
    expect(statuses.map((status) => status.state)).toEqual(['running', 'stopped', 'running']);
  });

  it('ends an event stream on the old port with the same error, so the live connection resubscribes', async () => {
    const { link, client } = setup();
    link.attach(startCore('first'), 0);
    const stream = await client.ticks();
    await expect(stream.next()).resolves.toEqual({ done: false, value: 'first:1' });
    const next = stream.next();
    link.attach(startCore('second'), 1);
    await expectCoreStopped(next);
    const again = await client.ticks();
    await expect(again.next()).resolves.toEqual({ done: false, value: 'second:1' });
    await again.return?.(undefined);
  });

  it("reports the caller's own abort as such, not as a core restart", async () => {
    const { link, client } = setup();
    link.attach(startCore('first'), 0);
    const controller = new AbortController();
    const call = client.hang(undefined, { signal: controller.signal });
    controller.abort(new Error('the user left the page'));
    await expect(call).rejects.toThrow('the user left the page');
  });

  it('takes a port only from a connect notice with exactly one port', () => {
    const { link } = setup();
    link.receive({ kind: 'connect', restarts: 0 }, []);
    expect(link.getStatus().state).toBe('connecting');
    const port = startCore('first');
    link.receive({ kind: 'connect', restarts: 2 }, [port]);
    expect(link.getStatus()).toEqual({ restarts: 2, state: 'running' });
    link.receive({ kind: 'stopped', restarts: 2 }, []);
    expect(link.getStatus()).toEqual({ restarts: 2, state: 'stopped' });
  });
});
