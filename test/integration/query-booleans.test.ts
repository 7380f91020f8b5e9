/**
 * Query booleans over HTTP mean what they say: `?rootsOnly=false` lists the
 * symptoms too and `?includeMuted=false` leaves muted alarms out (a coercing
 * parser once read "false" as true); anything but true or false is a 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/index.js';
import { rendererDir } from '../../main/cli/paths.js';
import { startServer, type RunningServer } from '../../main/server/server.js';
import { adminHeaders } from '../support/auth.js';
import { tempCore } from '../support/core.js';

describe('query booleans of GET /alarms', () => {
  let core: Core;
  let cleanup: () => void;
  let server: RunningServer;
  let headers: Record<string, string>;
  const alarms = async (query: string) => {
    const response = await fetch(new URL(`api/v1/alarms${query}`, server.url), { headers });
    return { status: response.status, messages: response.status === 200 ? ((await response.json()) as { alarms: { message: string }[] }).alarms.map((alarm) => alarm.message).sort() : [] };
  };

  beforeAll(async () => {
    ({ core, cleanup } = tempCore());
    server = await startServer({ core, host: '127.0.0.1', port: 0, rendererDir: rendererDir() });
    headers = await adminHeaders(core);
    const client = core.client('test');
    const site = await client.sites.create({ name: 'Query branch', code: 'QB-1', latitude: 30, longitude: 120 });
    const at = new Date().toISOString();
    const condition = (message: string) => ({ key: `test:${message}`, category: 'power' as const, severity: 'major' as const, message, messageKey: 'redfishEvent', params: { message } });
    const root = core.services.alarms.raise({ siteId: site.id, deviceId: null }, 'poll', condition('root'), at);
    const symptom = core.services.alarms.raise({ siteId: site.id, deviceId: null }, 'poll', condition('symptom'), at);
    // Correlation along the wiring sets root_id; here it is set directly, since only the query is under test.
    core.db.prepare('UPDATE alarms SET root_id = ? WHERE id = ?').run(root, symptom);
    await client.alarms.addMaintenance({ siteId: site.id, startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(), reason: 'works' });
    core.services.alarms.raise({ siteId: site.id, deviceId: null }, 'poll', condition('muted'), new Date().toISOString());
  });
  afterAll(async () => {
    await server?.close();
    await core?.close();
    cleanup?.();
  });

  it('reads "false" as false and "true" as true, and refuses anything else', async () => {
    expect(await alarms('')).toEqual({ status: 200, messages: ['root'] });
    expect(await alarms('?rootsOnly=true')).toEqual({ status: 200, messages: ['root'] });
    expect(await alarms('?rootsOnly=false')).toEqual({ status: 200, messages: ['root', 'symptom'] });
    expect(await alarms('?includeMuted=false')).toEqual({ status: 200, messages: ['root'] });
    expect(await alarms('?includeMuted=true')).toEqual({ status: 200, messages: ['muted', 'root'] });
    expect(await alarms('?includeMuted=true&rootsOnly=false')).toEqual({ status: 200, messages: ['muted', 'root', 'symptom'] });
    expect((await alarms('?rootsOnly=maybe')).status).toBe(400);
    expect((await alarms('?includeMuted=')).status).toBe(400);
  });
});
