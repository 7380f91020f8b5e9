import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core/index.js';
import { startServer, type RunningServer } from '../../main/server/server.js';
import { tempDir } from '../support/core.js';
import { rendererDir } from '../../main/cli/paths.js';
import { readFileSync } from 'node:fs';
import { writeMbtiles } from '../support/mbtiles.js';
import { adminHeaders } from '../support/auth.js';

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: { field: string; code: string; message: string }[];
}

describe('REST API over HTTP', () => {
  let core: Core;
  let server: RunningServer;
  let dir: { dir: string; cleanup: () => void };
  const api = (path: string) => new URL(`api/v1${path}`, server.url).href;
  let auth: Record<string, string> = {};
  /** fetch as a signed-in administrator (API token). */
  const fetch = (input: string | URL, init: RequestInit = {}) => globalThis.fetch(input, { ...init, headers: { ...auth, ...(init.headers as Record<string, string> | undefined) } });
  const send = (method: string, path: string, body?: unknown) =>
    fetch(api(path), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    dir = tempDir();
    core = createCore({ dataDir: dir.dir, host: 'server' });
    server = await startServer({ core, host: '127.0.0.1', port: 0, rendererDir: rendererDir() });
    auth = await adminHeaders(core);
  });
  afterAll(async () => {
    await server.close();
    core.close();
    dir.cleanup();
  });

  it('binds to loopback', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('creates, lists, gets, patches and deletes sites with resource-style routes', async () => {
    const created = await send('POST', '/sites', { name: 'Wuhan', code: 'HB-WH-1', latitude: 30.59, longitude: 114.3 });
    expect(created.status).toBe(201);
    const site = (await created.json()) as { id: string };
    const list = await (await fetch(api('/sites?limit=10&sort=code&q=wuhan'))).json();
    expect(list).toMatchObject({ total: 1, limit: 10, items: [{ id: site.id }] });
    expect((await fetch(api(`/sites/${site.id}`))).status).toBe(200);
    const patched = await send('PATCH', `/sites/${site.id}`, { contact: 'Wang' });
    expect(await patched.json()).toMatchObject({ contact: 'Wang', name: 'Wuhan' });
    expect((await send('DELETE', `/sites/${site.id}`)).status).toBe(200);
    const gone = await fetch(api(`/sites/${site.id}`));
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('answers bad input with a 400 problem document naming each bad field, and writes nothing', async () => {
    const before = ((await (await fetch(api('/sites'))).json()) as { total: number }).total;
    const auditBefore = ((await (await fetch(api('/audit'))).json()) as { total: number }).total;
    const response = await send('POST', '/sites', { name: '', code: '??', latitude: 123, longitude: 'east' });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as Problem;
    expect(problem).toMatchObject({ status: 400, title: 'Bad Request', code: 'BAD_REQUEST', type: expect.stringMatching(/^urn:/) });
    expect(problem.errors?.map((issue) => issue.field).sort()).toEqual(['code', 'latitude', 'longitude', 'name']);
    expect(problem.detail).toMatch(/latitude/);
    expect(((await (await fetch(api('/sites'))).json()) as { total: number }).total).toBe(before);
    // The rejected call is itself audited, as a failure.
    const audit = (await (await fetch(api('/audit?outcome=error'))).json()) as { items: { operation: string }[]; total: number };
    expect(audit.items[0]?.operation).toBe('sites.create');
    expect(((await (await fetch(api('/audit'))).json()) as { total: number }).total).toBe(auditBefore + 1);
  });

  it('rejects malformed JSON and bad query parameters with problem documents', async () => {
    const malformed = await send('POST', '/sites', '{"name": ');
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toMatch(/problem\+json/);
    const badQuery = await fetch(api('/sites?limit=0&sort=colour'));
    expect(badQuery.status).toBe(400);
    const problem = (await badQuery.json()) as Problem;
    expect(problem.errors?.map((issue) => issue.field).sort()).toEqual(['limit', 'sort']);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const response = await fetch(api('/nothing-here'));
    expect(response.status).toBe(404);
    expect(((await response.json()) as Problem).code).toBe('NOT_FOUND');
  });

  it('manages the region tree over REST', async () => {
    const province = (await (await send('POST', '/regions', { name: 'Hunan' })).json()) as { id: number };
    const city = await send('POST', '/regions', { name: 'Changsha', parentId: province.id });
    expect(city.status).toBe(201);
    const conflict = await send('DELETE', `/regions/${province.id}`);
    expect(conflict.status).toBe(409);
    const regions = (await (await fetch(api('/regions'))).json()) as { path: string }[];
    expect(regions.map((region) => region.path)).toEqual(expect.arrayContaining(['Hunan', 'Hunan/Changsha']));
  });

  it('imports CSV over REST with per-row errors', async () => {
    const csv = 'name,code,latitude,longitude\nA,CSV-1,1,2\nB,CSV-2,x,2\n';
    const result = (await (await send('POST', '/sites/import', { csv, mode: 'commit' })).json()) as {
      created: number;
      errors: { line: number; field: string }[];
    };
    expect(result.created).toBe(1);
    expect(result.errors).toEqual([expect.objectContaining({ line: 3, field: 'latitude' })]);
  });

  it('serves the OpenAPI document generated from the contract', async () => {
    const response = await fetch(api('/openapi.json'));
    expect(response.status).toBe(200);
    const document = (await response.json()) as { paths: Record<string, unknown>; servers: { url: string }[] };
    expect(document.servers[0]?.url).toBe('/api/v1');
    expect(Object.keys(document.paths)).toContain('/sites/{id}');
  });

  it('streams site.changed as server-sent events', async () => {
    const abort = new AbortController();
    const response = await fetch(api('/events'), { signal: abort.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    await send('POST', '/sites', { name: 'Events', code: 'EV-1', latitude: 1, longitude: 1 });
    let text = '';
    const decoder = new TextDecoder();
    while (!text.includes('site.changed')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    abort.abort();
    expect(text).toMatch(/"type":"site.changed"/);
    expect(text).toMatch(/"change":"created"/);
  });

  it('serves the renderer at / with a strict CSP, and client routes fall back to index.html', async () => {
    const response = await fetch(server.url);
    expect([200, 503]).toContain(response.status);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'.*script-src 'self'/);
    const html = await response.text();
    expect(html).toMatch(/EdgeCab/);
    const traversal = await fetch(new URL('/../../package.json', server.url));
    expect(await traversal.text()).not.toMatch(/"name": "edgecab"/);
  });

  it('imports an MBTiles file over REST (multipart) and serves its tiles on /tiles', async () => {
    const file = `${dir.dir}/upload.mbtiles`;
    writeMbtiles(file, 2, 'Uploaded');
    const form = new FormData();
    form.append('file', new Blob([readFileSync(file)]), 'upload.mbtiles');
    form.append('datum', 'wgs84');
    const response = await fetch(api('/tiles/packages'), { method: 'POST', body: form });
    expect(response.status).toBe(201);
    const imported = (await response.json()) as { id: string; tileCount: number };
    expect(imported.tileCount).toBe(21);
    const tile = await fetch(new URL(`/tiles/${imported.id}/2/1/3.png`, server.url));
    expect(tile.status).toBe(200);
    expect(tile.headers.get('content-type')).toBe('image/png');
    expect((await fetch(new URL(`/tiles/${imported.id}/2/9/0.png`, server.url))).status).toBe(204);
    expect((await fetch(new URL('/tiles/00000000-0000-4000-8000-000000000000/0/0/0.png', server.url))).status).toBe(404);
    const sites = (await (await fetch(api('/map/sites'))).json()) as { sites: unknown[][] };
    expect(sites.sites[0]).toHaveLength(8);
  });

  it('refuses a request body over the limit before reading it', async () => {
    const response = await fetch(api('/sites'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(200 * 1024 * 1024) },
      body: '{}',
    }).catch(() => null);
    if (response) expect(response.status).toBe(413);
  });
});
