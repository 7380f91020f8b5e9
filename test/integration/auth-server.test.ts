/**
 * Sign-in and roles per region over HTTP, as a browser and an upper-level
 * system reach them: every API route refuses a caller without a session or
 * token; a viewer of one region sees and acts on that region only (lists,
 * map, alarms, search, events); cookie sessions need the CSRF header and
 * refuse cross-site requests; a rebinding Host header is refused; sign-in
 * is throttled; a revoked token stops at once.
 */
import crypto from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECHECK_MS } from '../../main/core/api/event-filter.js';
import { createCore, type Core } from '../../main/core/index.js';
import { buildOpenApiDocument } from '../../main/server/openapi.js';
import { startServer, type RunningServer } from '../../main/server/server.js';
import { rendererDir } from '../../main/cli/paths.js';
import { TEST_PASSWORD, userWithToken } from '../support/auth.js';
import { tempDir } from '../support/core.js';

/** A raw request, so the Host header can be anything. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An open event stream: its text so far, whether the server has ended it, and a way to wait for either. */
async function openEvents(url: string, headers: Record<string, string>) {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const state = { text: '', ended: false };
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        state.text += decoder.decode(value);
      }
    } catch {
      // Aborted by the test.
    }
    state.ended = true;
  })();
  /** Waits until `test` holds or `ms` pass; answers whether it held. */
  const until = async (test: () => boolean, ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    while (!test() && Date.now() < deadline) await sleep(25);
    return test();
  };
  return { state, until, close: () => abort.abort() };
}

/**
 * Counts scrypt runs (each a password check or hash) and holds each one's
 * answer back a while, so that a test sees how many checks a burst of
 * requests started and how many ran at once.
 */
function watchScrypt(holdMs: number) {
  const original = crypto.scrypt;
  const seen = { started: 0, running: 0, most: 0 };
  type Callback = (error: Error | null, key: Buffer) => void;
  crypto.scrypt = ((...args: unknown[]) => {
    const callback = args.pop() as Callback;
    seen.started += 1;
    seen.running += 1;
    seen.most = Math.max(seen.most, seen.running);
    (original as (...rest: unknown[]) => void)(...args, ((error, key) =>
      setTimeout(() => {
        seen.running -= 1;
        callback(error, key);
      }, holdMs)) satisfies Callback);
  }) as typeof crypto.scrypt;
  syncBuiltinESMExports();
  return {
    seen,
    restore: () => {
      crypto.scrypt = original;
      syncBuiltinESMExports();
    },
  };
}

describe('sign-in and roles per region over HTTP', () => {
  let core: Core;
  let server: RunningServer;
  let dir: ReturnType<typeof tempDir>;
  const api = (path: string) => new URL(`api/v1${path}`, server.url).href;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  let admin = '';
  let viewerA = '';
  let operatorA = '';
  const ids = {} as Record<'a1' | 'b1' | 'serverA' | 'serverB' | 'alarmA' | 'alarmB', string>;
  const regionIds = { a: 0, b: 0 };

  beforeAll(async () => {
    dir = tempDir();
    core = createCore({ dataDir: dir.dir, host: 'server' });
    server = await startServer({ core, host: '127.0.0.1', port: 0, rendererDir: rendererDir() });
    const client = core.client('test');
    const regionA = await client.regions.create({ name: 'Region A' });
    const regionB = await client.regions.create({ name: 'Region B' });
    regionIds.a = regionA.id;
    regionIds.b = regionB.id;
    const cityA = await client.regions.create({ name: 'City A1', parentId: regionA.id });
    const a1 = await client.sites.create({ name: 'Alpha one', code: 'A-1', latitude: 30, longitude: 120, regionId: cityA.id });
    const b1 = await client.sites.create({ name: 'Bravo one', code: 'B-1', latitude: 31, longitude: 121, regionId: regionB.id });
    ids.a1 = a1.id;
    ids.b1 = b1.id;
    const cabinetA = await client.cabinets.create({ siteId: a1.id, templateId: 'edge-12u' });
    const cabinetB = await client.cabinets.create({ siteId: b1.id, templateId: 'edge-12u' });
    ids.serverA = cabinetA.devices.find((device) => device.slotId === 'srv1')!.id;
    ids.serverB = cabinetB.devices.find((device) => device.slotId === 'srv1')!.id;
    // An alarm in each site.
    const at = new Date().toISOString();
    const condition = (name: string) => ({ key: `test:${name}`, category: 'health' as const, severity: 'major' as const, message: name, messageKey: 'redfishEvent', params: { message: name } });
    ids.alarmA = String(core.services.alarms.raise({ siteId: a1.id, deviceId: ids.serverA }, 'poll', condition('alarm in A'), at));
    ids.alarmB = String(core.services.alarms.raise({ siteId: b1.id, deviceId: ids.serverB }, 'poll', condition('alarm in B'), at));
    admin = (await userWithToken(core, 'root-admin', [{ role: 'administrator', regionId: null }])).token;
    viewerA = (await userWithToken(core, 'viewer-a', [{ role: 'viewer', regionId: regionA.id }], 'viewer')).token;
    operatorA = (await userWithToken(core, 'operator-a', [{ role: 'operator', regionId: regionA.id }], 'operator')).token;
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await core?.close();
    dir?.cleanup();
  });

  it('refuses every API route without a session or token (401), and with a forged token', async () => {
    const document = (await buildOpenApiDocument()) as { paths: Record<string, Record<string, unknown>> };
    let checked = 0;
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const method of Object.keys(methods)) {
        const concrete = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
        const init = { method: method.toUpperCase(), ...(method === 'get' ? {} : { headers: { 'content-type': 'application/json' }, body: '{}' }) };
        const anonymous = await fetch(api(concrete), init);
        expect(anonymous.status, `${method} ${path}`).toBe(401);
        const forged = await fetch(api(concrete), { ...init, headers: { ...(init.headers ?? {}), authorization: 'Bearer ecb_forged-token-that-was-never-issued' } });
        expect(forged.status, `${method} ${path} forged`).toBe(401);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(60);
    // Tiles and the RPC endpoint too; the UI's files and the OpenAPI document are public.
    expect((await fetch(new URL('/tiles/online/1/0/0', server.url))).status).toBe(401);
    expect((await fetch(new URL('/rpc/sites/list', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect((await fetch(api('/openapi.json'))).status).toBe(200);
  });

  it('shows a viewer of region A only region A, in lists, search, the map, alarms and object routes', async () => {
    const get = (path: string, token = viewerA) => fetch(api(path), { headers: bearer(token) });
    const sites = (await (await get('/sites?limit=100')).json()) as { items: { code: string }[]; total: number };
    expect(sites.items.map((site) => site.code)).toEqual(['A-1']);
    expect(sites.total).toBe(1);
    expect(((await (await get('/sites?q=Bravo')).json()) as { total: number }).total).toBe(0);
    const map = (await (await get('/map/sites')).json()) as { sites: unknown[][] };
    expect(map.sites.map((site) => site[1])).toEqual(['A-1']);
    const alarms = (await (await get('/alarms?rootsOnly=false')).json()) as { alarms: { message: string }[] };
    expect(alarms.alarms.map((alarm) => alarm.message)).toEqual(['alarm in A']);
    const regions = (await (await get('/regions')).json()) as { name: string; siteCount: number }[];
    expect(regions.map((region) => region.name).sort()).toEqual(['City A1', 'Region A']);
    // Another region's objects are not found, as if they did not exist.
    expect((await get(`/sites/${ids.b1}`)).status).toBe(404);
    expect((await get(`/devices/${ids.serverB}`)).status).toBe(404);
    expect((await get(`/alarms/${ids.alarmB}`)).status).toBe(404);
    expect((await get(`/sites/${ids.a1}`)).status).toBe(200);
    // Administrators of everything see both.
    expect(((await (await get('/sites', admin)).json()) as { total: number }).total).toBe(2);
    // Global settings and the audit log are for administrators of every region.
    expect((await get('/audit')).status).toBe(403);
    expect((await get('/users')).status).toBe(403);
  });

  it('lets a viewer do nothing, an operator act but not change, both only in their region', async () => {
    const post = (path: string, body: unknown, token: string) => fetch(api(path), { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const powerA = await post(`/devices/${ids.serverA}/power`, { id: ids.serverA, action: 'ForceOff' }, viewerA);
    expect(powerA.status).toBe(403);
    expect(await powerA.json()).toMatchObject({ code: 'FORBIDDEN', data: { role: 'operator', operation: 'devices.power' } });
    // An operator may try (the device is not connected: the core says so), but not in region B, and may not delete.
    expect((await post(`/devices/${ids.serverA}/power`, { id: ids.serverA, action: 'ForceOff' }, operatorA)).status).toBe(400);
    expect((await post(`/devices/${ids.serverB}/power`, { id: ids.serverB, action: 'ForceOff' }, operatorA)).status).toBe(404);
    expect((await post('/alarms/acknowledge', { ids: [Number(ids.alarmA)] }, operatorA)).status).toBe(200);
    expect((await post('/alarms/acknowledge', { ids: [Number(ids.alarmB)] }, operatorA)).status).toBe(404);
    expect((await fetch(api(`/sites/${ids.a1}`), { method: 'DELETE', headers: bearer(operatorA) })).status).toBe(403);
    expect((await post('/sites', { name: 'New', code: 'NEW-1', latitude: 1, longitude: 1 }, viewerA)).status).toBe(403);
    expect(((await (await fetch(api('/sites'), { headers: bearer(admin) })).json()) as { total: number }).total).toBe(2);
    // A rollout's targets are checked site by site: a search that reaches into region B is refused, naming the site; one within A gets as far as the release.
    const plan = { appId: 'branch-web', version: '1.0.0', targets: { q: '-1' } };
    const across = await post('/rollouts/plan', plan, operatorA);
    expect(across.status).toBe(403);
    expect(await across.json()).toMatchObject({ code: 'FORBIDDEN', detail: '1 of the 2 sites (B-1) are in regions where you are not an operator', data: { operation: 'rollouts.plan' } });
    expect((await post('/rollouts/plan', { ...plan, targets: { q: 'A-1' } }, operatorA)).status).toBe(404);
    expect((await post('/rollouts/plan', { ...plan, targets: { q: 'A-1' } }, viewerA)).status).toBe(403);
    // A new rollout is a plan, which administrators make: an operator of its only site's region is refused, naming the role.
    const start = await post('/rollouts', { ...plan, name: 'web to A', targets: { q: 'A-1' } }, operatorA);
    expect(start.status).toBe(403);
    expect(await start.json()).toMatchObject({ code: 'FORBIDDEN', data: { role: 'administrator', operation: 'rollouts.create' } });
    expect((await post('/rollouts', { ...plan, name: 'web to A', targets: { q: 'A-1' } }, admin)).status).toBe(404);
  });

  it('streams only region A\'s events to a viewer of region A', async () => {
    const abort = new AbortController();
    const response = await fetch(api('/events'), { headers: bearer(viewerA), signal: abort.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const client = core.client('test');
    await client.sites.update({ id: ids.b1, name: 'Bravo renamed' });
    await client.sites.update({ id: ids.a1, name: 'Alpha renamed' });
    while (!text.includes(ids.a1)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    abort.abort();
    expect(text).toContain(ids.a1);
    expect(text).not.toContain(ids.b1);
  });

  it('needs the CSRF header for cookie sessions, refuses cross-site requests and a rebinding Host header', async () => {
    const signIn = await fetch(api('/auth/session'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'root-admin', password: TEST_PASSWORD }) });
    expect(signIn.status).toBe(200);
    const setCookie = signIn.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/edgecab_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
    const cookie = `edgecab_session=${/edgecab_session=([^;]+)/.exec(setCookie)![1]}`;
    const { csrfToken } = (await signIn.json()) as { csrfToken: string };
    const body = JSON.stringify({ name: 'Csrf', code: 'CSRF-1', latitude: 1, longitude: 1 });
    // A read with the cookie is fine; a write without the header is not, nor with a wrong one, nor from another origin.
    expect((await fetch(api('/sites'), { headers: { cookie } })).status).toBe(200);
    expect((await fetch(api('/sites'), { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body })).status).toBe(403);
    expect((await fetch(api('/sites'), { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'x-edgecab-csrf': 'wrong' }, body })).status).toBe(403);
    const crossSite = await fetch(api('/sites'), { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'x-edgecab-csrf': csrfToken, origin: 'https://evil.example' }, body });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toMatchObject({ code: 'CROSS_SITE' });
    expect((await fetch(api('/sites'), { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'x-edgecab-csrf': csrfToken, origin: new URL(server.url).origin }, body })).status).toBe(201);
    // DNS rebinding: the browser would send the attacker's name as Host.
    const rebound = await rawGet(api('/sites'), { host: `rebind.attacker.example:${new URL(server.url).port}`, cookie });
    expect(rebound.status).toBe(421);
    expect((await rawGet(api('/sites'), { host: `localhost:${new URL(server.url).port}`, cookie })).status).toBe(200);
    // Signing out ends the session.
    expect((await fetch(api('/auth/session'), { method: 'DELETE', headers: { cookie, 'x-edgecab-csrf': csrfToken } })).status).toBe(200);
    expect((await fetch(api('/sites'), { headers: { cookie } })).status).toBe(401);
  });

  it('throttles sign-in per account: after five wrong passwords even the right one waits', async () => {
    await userWithToken(core, 'throttled', [{ role: 'viewer', regionId: null }], 'viewer');
    const attempt = (password: string) => fetch(api('/auth/session'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'throttled', password }) });
    const statuses: number[] = [];
    for (let index = 0; index < 6; index += 1) statuses.push((await attempt(`wrong password ${index}`)).status);
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses.slice(4)).toEqual([429, 429]);
    const refused = await attempt(TEST_PASSWORD);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other accounts are not held back by it.
    expect((await fetch(api('/auth/session'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'viewer-a', password: TEST_PASSWORD }) })).status).toBe(200);
    // And every refusal is in the audit log, under the account named.
    const audit = core.services.audit.list({ limit: 50, offset: 0, operation: 'auth.signIn', outcome: 'error' });
    expect(audit.items.filter((entry) => entry.actor === 'throttled').length).toBeGreaterThanOrEqual(6);
  });

  const signInAs = async (name: string): Promise<{ cookie: string; csrf: string }> => {
    const response = await fetch(api('/auth/session'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password: TEST_PASSWORD }) });
    expect(response.status).toBe(200);
    const cookie = `edgecab_session=${/edgecab_session=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')![1]}`;
    return { cookie, csrf: ((await response.json()) as { csrfToken: string }).csrfToken };
  };

  it('lets no token mint a token that may do more than itself, nor revoke one that does', async () => {
    const viewerScoped = await userWithToken(core, 'root-admin', [{ role: 'administrator', regionId: null }], 'viewer');
    const create = (body: unknown) => fetch(api('/tokens'), { method: 'POST', headers: { ...bearer(viewerScoped.token), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // Its user administers everything, but the token asking is a viewer token.
    const escalated = await create({ name: 'escalated', scope: 'administrator', expiresInDays: 1 });
    expect(escalated.status).toBe(403);
    expect(await escalated.json()).toMatchObject({ code: 'FORBIDDEN', data: { role: 'administrator', operation: 'tokens.create' } });
    expect((await create({ name: 'escalated', scope: 'operator', expiresInDays: 1 })).status).toBe(403);
    expect(core.services.identity.listTokens(viewerScoped.userId).some((token) => token.name === 'escalated')).toBe(false);
    // Within its own scope it may.
    const narrow = await create({ name: 'narrow', scope: 'viewer', expiresInDays: 1 });
    expect(narrow.status).toBe(201);
    // The same user's administrator token cannot be revoked by the viewer token, and keeps working.
    const adminTokenId = core.services.identity.listTokens(viewerScoped.userId).find((token) => token.scope === 'administrator' && token.revokedAt === null)!.id;
    const revoke = await fetch(api(`/tokens/${adminTokenId}`), { method: 'DELETE', headers: bearer(viewerScoped.token) });
    expect(revoke.status).toBe(403);
    expect(await revoke.json()).toMatchObject({ code: 'FORBIDDEN', data: { role: 'administrator', operation: 'tokens.revoke' } });
    expect((await fetch(api('/users'), { headers: bearer(admin) })).status).toBe(200);
    // A token as strong as itself it may revoke.
    const narrowId = ((await narrow.json()) as { id: string }).id;
    expect((await fetch(api(`/tokens/${narrowId}`), { method: 'DELETE', headers: bearer(viewerScoped.token) })).status).toBe(200);
  });

  it('ends the sessions of a user whose roles change, not when the same roles are saved again', async () => {
    const { userId } = await userWithToken(core, 'regranted', [{ role: 'viewer', regionId: null }], 'viewer');
    const { cookie } = await signInAs('regranted');
    const sites = () => fetch(api('/sites'), { headers: { cookie } });
    expect((await sites()).status).toBe(200);
    const client = core.client('test');
    await client.users.update({ id: userId, grants: [{ role: 'viewer', regionId: null }] });
    expect((await sites()).status).toBe(200);
    await client.users.update({ id: userId, grants: [{ role: 'operator', regionId: null }] });
    expect((await sites()).status).toBe(401);
  });

  it('ends an open event stream within seconds when its user is disabled', async () => {
    const { userId } = await userWithToken(core, 'streamer', [{ role: 'viewer', regionId: null }], 'viewer');
    const { cookie } = await signInAs('streamer');
    const stream = await openEvents(api('/events'), { cookie });
    try {
      const client = core.client('test');
      await client.sites.update({ id: ids.a1, name: 'Alpha, as the streamer saw it' });
      expect(await stream.until(() => stream.state.text.includes(ids.a1), 5_000)).toBe(true);
      const disabledAt = Date.now();
      await client.users.update({ id: userId, disabled: true });
      // No event needs to come for it to end: the stream checks its caller on its own.
      expect(await stream.until(() => stream.state.ended, RECHECK_MS + 4_000)).toBe(true);
      expect(Date.now() - disabledAt).toBeLessThan(RECHECK_MS + 4_000);
    } finally {
      stream.close();
    }
  });

  it("stops streaming a region's events to a token whose user lost the role there, while the stream stays open", async () => {
    const { userId, token } = await userWithToken(core, 'two-regions', [{ role: 'viewer', regionId: regionIds.a }, { role: 'viewer', regionId: regionIds.b }], 'viewer');
    const stream = await openEvents(api('/events'), bearer(token));
    try {
      const client = core.client('test');
      await client.sites.update({ id: ids.a1, name: 'Alpha while granted' });
      expect(await stream.until(() => stream.state.text.includes(ids.a1), 5_000)).toBe(true);
      await client.users.update({ id: userId, grants: [{ role: 'viewer', regionId: regionIds.b }] });
      await sleep(RECHECK_MS + 1_000);
      const mark = stream.state.text.length;
      await client.sites.update({ id: ids.a1, name: 'Alpha after the grant went' });
      await client.sites.update({ id: ids.b1, name: 'Bravo after the grant went' });
      // B's event comes after A's: once it is here, A's would have been too.
      expect(await stream.until(() => stream.state.text.slice(mark).includes(ids.b1), 5_000)).toBe(true);
      expect(stream.state.text.slice(mark)).not.toContain(ids.a1);
      expect(stream.state.ended).toBe(false);
    } finally {
      stream.close();
    }
  });

  it("refuses a viewer's tile upload before reading it: 403 at once, nothing staged, the connection closed", async () => {
    const boundary = 'viewer-upload';
    const head = Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="big.mbtiles"\r\ncontent-type: application/octet-stream\r\n\r\n`);
    const attempt = () =>
      new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
        const req = request(api('/tiles/packages'), { method: 'POST', headers: { ...bearer(viewerA), 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(300 * 1024 * 1024) } }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body });
            req.destroy();
          });
        });
        req.on('error', reject);
        // The start of a file part, and then nothing of the 300 MiB announced: only an answer given unread can come.
        req.write(head);
        req.write(Buffer.alloc(1024, 0x61));
        setTimeout(() => reject(new Error('no answer: the server is waiting for the body')), 10_000).unref();
      });
    // A reset may overtake the answer on a loaded machine; asked again then.
    let answer: Awaited<ReturnType<typeof attempt>> | null = null;
    for (let tries = 0; tries < 3 && !answer; tries += 1) {
      answer = await attempt().catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return null;
        throw error;
      });
    }
    expect(answer?.status).toBe(403);
    expect(JSON.parse(answer!.body)).toMatchObject({ code: 'FORBIDDEN', data: { role: 'administrator', operation: 'tiles.import' } });
    expect(answer!.connection).toBe('close');
    const incoming = join(dir.dir, 'tiles', 'incoming');
    expect(existsSync(incoming) ? readdirSync(incoming) : []).toEqual([]);
  });

  it('stops a revoked token at once', async () => {
    const { token } = await userWithToken(core, 'scripted', [{ role: 'viewer', regionId: null }], 'viewer');
    expect((await fetch(api('/sites'), { headers: bearer(token) })).status).toBe(200);
    const listed = (await (await fetch(api('/tokens'), { headers: bearer(admin) })).json()) as { id: string; name: string }[];
    const id = listed.find((each) => each.name === 'scripted-test')!.id;
    expect((await fetch(api(`/tokens/${id}`), { method: 'DELETE', headers: bearer(admin) })).status).toBe(200);
    expect((await fetch(api('/sites'), { headers: bearer(token) })).status).toBe(401);
  });

  it('keeps region B out of energy for the people of region A: fleet, export, site, tariff, power limits', async () => {
    const get = (path: string, token = viewerA) => fetch(api(path), { headers: bearer(token) });
    const fleet = (await (await get('/energy?days=7')).json()) as { sites: { code: string }[] };
    expect(fleet.sites.map((site) => site.code)).toEqual(['A-1']);
    const exported = (await (await get('/energy/export?days=7')).json()) as { csv: string };
    expect(exported.csv).not.toContain('B-1');
    expect((await get(`/sites/${ids.b1}/energy`)).status).toBe(404);
    expect((await get(`/sites/${ids.a1}/energy`)).status).toBe(200);
    expect((await get(`/regions/${regionIds.b}/tariff`)).status).toBe(404);
    expect((await get(`/regions/${regionIds.a}/tariff`)).status).toBe(200);
    // An operator of A: not a limit on B's server (not found), and not A's tariff (an administrator's).
    const put = (path: string, body: unknown, token: string) => fetch(api(path), { method: 'PUT', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await put(`/devices/${ids.serverB}/power-limit`, { watts: 300 }, operatorA)).status).toBe(404);
    expect((await put(`/regions/${regionIds.a}/tariff`, { tariff: null }, operatorA)).status).toBe(403);
    expect((await put(`/sites/${ids.a1}/energy/policy`, { enabled: true, capWatts: 300 }, operatorA)).status).toBe(403);
    // Standing caps: B's site is not there for A; A's own and every site's cabinet-model caps are an administrator's.
    expect((await get(`/sites/${ids.b1}/energy/caps`)).status).toBe(404);
    expect((await get(`/sites/${ids.a1}/energy/caps`)).status).toBe(200);
    expect((await put(`/sites/${ids.a1}/energy/caps`, { capWatts: 300 }, operatorA)).status).toBe(403);
    expect((await put('/energy/model-caps/edge-12u', { capWatts: 300 }, operatorA)).status).toBe(403);
    const adminOfA = (await userWithToken(core, 'admin-a-caps', [{ role: 'administrator', regionId: regionIds.a }])).token;
    expect((await put('/energy/model-caps/edge-12u', { capWatts: 300 }, adminOfA)).status).toBe(403);
    expect((await put(`/sites/${ids.b1}/energy/caps`, { capWatts: 300 }, adminOfA)).status).toBe(404);
  });

  // Last: the wizard runs add sites, which the counts above do not expect.
  it('keeps region B out of maintenance windows, site apps, identities, integrity and wizard runs for the people of region A', async () => {
    const get = (path: string, token = viewerA) => fetch(api(path), { headers: bearer(token) });
    const client = core.client('test');
    const window = { startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(), reason: 'works' };
    await client.alarms.addMaintenance({ ...window, siteId: ids.a1 });
    await client.alarms.addMaintenance({ ...window, siteId: ids.b1 });
    const windows = (await (await get('/maintenance-windows')).json()) as { siteId: string }[];
    expect(windows.map((each) => each.siteId)).toEqual([ids.a1]);
    expect(((await (await get('/maintenance-windows', admin)).json()) as unknown[]).length).toBe(2);
    for (const feature of ['apps', 'identity', 'integrity']) {
      expect((await get(`/sites/${ids.b1}/${feature}`)).status, feature).toBe(404);
      expect((await get(`/sites/${ids.a1}/${feature}`)).status, feature).toBe(200);
    }
    const fleet = (await (await get('/integrity')).json()) as { sites: { siteId: string }[] };
    expect(fleet.sites.every((site) => site.siteId === ids.a1)).toBe(true);
    // Wizard runs: an administrator of region A sees and opens only the runs for region A's sites.
    const adminA = (await userWithToken(core, 'admin-a', [{ role: 'administrator', regionId: regionIds.a }])).token;
    const runIn = async (regionId: number, code: string) => {
      const { id } = await client.wizard.start();
      await client.wizard.site({ runId: id, name: `Run ${code}`, code, latitude: 30, longitude: 120, regionId, templateId: 'edge-12u', managementSubnet: '127.118.0.0/24' });
      return id;
    };
    const runA = await runIn(regionIds.a, 'WZ-A');
    const runB = await runIn(regionIds.b, 'WZ-B');
    const runs = (await (await get('/wizard', adminA)).json()) as { id: string }[];
    expect(runs.map((run) => run.id)).toContain(runA);
    expect(runs.map((run) => run.id)).not.toContain(runB);
    expect((await get(`/wizard/${runB}`, adminA)).status).toBe(404);
    expect((await get(`/wizard/${runB}/report`, adminA)).status).toBe(404);
    expect((await get(`/wizard/${runA}`, adminA)).status).toBe(200);
    expect((await get('/wizard')).status).toBe(403);
  });
});

describe('first setup and sign-in under parallel requests', () => {
  let core: Core;
  let server: RunningServer;
  let dir: ReturnType<typeof tempDir>;
  const post = (path: string, body: unknown) => fetch(new URL(`api/v1${path}`, server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    dir = tempDir();
    core = createCore({ dataDir: dir.dir, host: 'server' });
    server = await startServer({ core, host: '127.0.0.1', port: 0, rendererDir: rendererDir() });
  });

  afterAll(async () => {
    await server?.close();
    await core?.close();
    dir?.cleanup();
  });

  it('makes one first administrator of two parallel uses of the setup link', async () => {
    const token = core.services.identity.issueSetupToken()!;
    const answers = await Promise.all([post('/auth/setup', { token, name: 'first-admin', password: TEST_PASSWORD }), post('/auth/setup', { token, name: 'second-admin', password: TEST_PASSWORD })]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
    expect(await answers.find((answer) => answer.status === 400)!.json()).toMatchObject({ errors: [{ field: 'token', code: 'invalid' }] });
    expect(core.services.identity.listUsers()).toHaveLength(1);
  });

  it('checks at most a few passwords of 30 parallel guesses, and refuses the right password sent among them', async () => {
    await core.services.identity.createUser({ name: 'flooded', displayName: null, password: TEST_PASSWORD, grants: [{ role: 'viewer', regionId: null }] });
    const scrypt = watchScrypt(300);
    try {
      const guesses = Array.from({ length: 30 }, (_, index) => post('/auth/session', { name: 'flooded', password: `wrong guess number ${index}` }));
      // Sent while the guesses are being checked, as an attacker's right guess would be.
      while (scrypt.seen.started === 0) await sleep(5);
      const right = post('/auth/session', { name: 'flooded', password: TEST_PASSWORD });
      const answers = await Promise.all([...guesses, right]);
      // At most the account's five failures could ever be checked; one at a time, they are fewer still.
      expect(scrypt.seen.started).toBeLessThanOrEqual(5);
      expect(scrypt.seen.most).toBe(1);
      const rightAnswer = answers.at(-1)!;
      expect(rightAnswer.status).toBe(429);
      expect(Number(rightAnswer.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(answers.filter((answer) => answer.status === 401).length).toBeLessThanOrEqual(4);
      expect(answers.every((answer) => answer.status === 401 || answer.status === 429)).toBe(true);
    } finally {
      scrypt.restore();
    }
  });

  it('checks at most two passwords at once from one address, whatever the accounts', async () => {
    // The hash unknown names are checked against is made once: before watching.
    await post('/auth/session', { name: 'nobody-warm-up', password: 'not the password at all' });
    const scrypt = watchScrypt(300);
    try {
      const answers = await Promise.all(Array.from({ length: 8 }, (_, index) => post('/auth/session', { name: `nobody-${index}`, password: 'not the password at all' })));
      expect(scrypt.seen.most).toBeLessThanOrEqual(2);
      const busy = answers.filter((answer) => answer.status === 429);
      expect(busy.length).toBeGreaterThan(0);
      for (const answer of busy) expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      scrypt.restore();
    }
  });
});
