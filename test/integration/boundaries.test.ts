import { createORPCClient } from '@orpc/client';
import { RPCLink } from '@orpc/client/fetch';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { rendererDir } from '../../main/cli/paths.js';
import { createCore, type Core } from '../../main/core/index.js';
import { startServer, type RunningServer } from '../../main/server/server.js';
import type { EdgecabClient } from '../../shared/contract/index.js';
import { tempDir } from '../support/core.js';
import { solidPng, writeMbtiles } from '../support/mbtiles.js';
import { HEADER, oneTileArchive, writeBytes, writeMbtilesWith } from '../unit/tiles/hostile-files.js';

const MiB = 1024 * 1024;

/** An administrator's API token: every route but the UI's files needs sign-in in server mode. */
async function adminToken(core: Core): Promise<string> {
  const user = await core.services.identity.createUser({ name: 'boundaries', displayName: null, password: 'Tile-limits-checked-2026', grants: [{ role: 'administrator', regionId: null }] });
  return core.services.identity.createToken(user.id, { name: 'boundaries test', scope: 'administrator', expiresInDays: null }).token;
}

interface RawAnswer {
  status: number;
  body: string;
  /** Body bytes the client managed to hand to the socket before the answer came (or it gave up). */
  sent: number;
}

/**
 * A request whose body is produced chunk by chunk (chunked transfer unless
 * a content-length is given), stopping as soon as the server answers.
 */
function rawRequest(url: string, method: string, headers: Record<string, string>, chunks: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(url, { method, headers: 'content-length' in headers ? headers : { 'transfer-encoding': 'chunked', ...headers } });
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => (body += text));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, sent }));
      res.on('error', reject);
    });
    // A server that stops reading and closes may reset the connection under the client's writes: only a missing answer is a failure.
    req.on('error', (error) => setTimeout(() => (answered ? undefined : reject(error)), 200));
    void (async () => {
      for await (const chunk of chunks) {
        if (answered || req.destroyed) return;
        sent += chunk.length;
        if (!req.write(chunk)) {
          await new Promise<void>((drained) => {
            const done = () => {
              req.off('drain', done).off('close', done);
              drained();
            };
            req.on('drain', done).on('close', done);
          });
        }
      }
      req.end();
    })().catch(() => undefined);
  });
}

function* repeat(chunk: Buffer, total: number): Generator<Buffer> {
  for (let sent = 0; sent < total; sent += chunk.length) yield chunk;
}

const BOUNDARY = 'edgecab-boundary-7e3f';

/** A multipart body: the fields, then one file part whose bytes come from `file`. */
async function* multipart(fields: Record<string, string>, fileName: string, file: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<Buffer> {
  for (const [name, value] of Object.entries(fields)) yield Buffer.from(`--${BOUNDARY}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  yield Buffer.from(`--${BOUNDARY}\r\ncontent-disposition: form-data; name="file"; filename="${fileName}"\r\ncontent-type: application/octet-stream\r\n\r\n`);
  for await (const chunk of file) yield chunk as Buffer;
  yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
}
const MULTIPART = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };

describe('every boundary bounded (in-process server)', () => {
  let core: Core;
  let server: RunningServer;
  let dir: { dir: string; cleanup: () => void };
  let auth: { authorization: string };
  const api = (path: string) => new URL(`api/v1${path}`, server.url).href;
  const get = (path: string, init: RequestInit = {}) => fetch(api(path), { ...init, headers: auth });
  const json = (method: string, path: string, body: unknown) => fetch(api(path), { method, headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const raw = (path: string, headers: Record<string, string>, chunks: AsyncIterable<Buffer> | Iterable<Buffer>) => rawRequest(api(path), 'POST', { ...auth, ...headers }, chunks);
  /** After every refusal: the core still answers everyone else. */
  const expectStillServing = async () => {
    expect((await get('/system')).status).toBe(200);
    expect((await json('POST', '/sites', { name: `Still ${Math.random()}`, code: `OK-${Math.floor(Math.random() * 1e6)}`, latitude: 30, longitude: 114 })).status).toBe(201);
  };
  /** Nothing of a refused upload is kept: no package and no file, staged or placed. */
  const expectNoTileFiles = async () => {
    const tiles = join(dir.dir, 'tiles');
    const files = () => (existsSync(tiles) ? readdirSync(tiles, { recursive: true, encoding: 'utf8' }).filter((name) => name !== 'incoming') : []);
    // The staged file goes when the response closes, just after the client has read it.
    for (let attempt = 0; attempt < 50 && files().length > 0; attempt += 1) await new Promise((done) => setTimeout(done, 20));
    expect(files()).toEqual([]);
    expect(await (await get('/tiles/packages')).json()).toEqual([]);
  };

  beforeAll(async () => {
    dir = tempDir();
    core = createCore({ dataDir: dir.dir, host: 'server' });
    server = await startServer({ core, host: '127.0.0.1', port: 0, rendererDir: rendererDir() });
    auth = { authorization: `Bearer ${await adminToken(core)}` };
  });
  afterAll(async () => {
    await server.close();
    core.close();
    dir.cleanup();
  });

  it('cuts off a chunked oversize JSON body with 413 without reading it all', async () => {
    const send = () =>
      raw('/sites', { 'content-type': 'application/json' }, (function* () {
        yield Buffer.from('{"name": "');
        yield* repeat(Buffer.alloc(MiB, 0x61), 400 * MiB);
      })());
    // The server closes as soon as it has answered; on a loaded machine the reset can overtake the answer in the
    // client (it is then cut off all the same). Asked again until the 413 is read.
    let answer = await send().catch(() => null);
    for (let attempt = 0; attempt < 3 && !answer; attempt += 1) answer = await send().catch(() => null);
    if (!answer) throw new Error('every attempt was reset before its answer was read');
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    // The limit is 64 MiB; the client was stopped long before its 400 MiB were all sent.
    expect(answer.sent).toBeLessThan(200 * MiB);
    await expectStillServing();
  });

  it('cuts off a chunked tile upload past 512 MiB and keeps no file of it', async () => {
    const answer = await raw('/tiles/packages', MULTIPART, multipart({ datum: 'wgs84' }, 'huge.mbtiles', repeat(Buffer.alloc(4 * MiB), 700 * MiB)));
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', detail: expect.stringMatching(/larger than \d+ bytes/) });
    expect(answer.sent).toBeLessThan(650 * MiB);
    await expectNoTileFiles();
    // A declared length over the limit is refused before a byte is read.
    const declared = await raw('/tiles/packages', { ...MULTIPART, 'content-length': String(600 * MiB) }, []);
    expect(declared.status).toBe(413);
    await expectStillServing();
  }, 60_000);

  it('keeps nothing of an upload whose client goes away halfway', async () => {
    await new Promise<void>((done) => {
      const req = request(api('/tiles/packages'), { method: 'POST', headers: { ...auth, ...MULTIPART, 'transfer-encoding': 'chunked' } });
      req.on('error', () => done());
      void (async () => {
        let sent = 0;
        for await (const chunk of multipart({ datum: 'wgs84' }, 'gone.mbtiles', repeat(Buffer.alloc(MiB), 100 * MiB))) {
          req.write(chunk);
          sent += chunk.length;
          if (sent > 20 * MiB) break;
        }
        // Give the server time to stage some of it, then vanish.
        setTimeout(() => {
          req.destroy();
          done();
        }, 200);
      })();
    });
    await expectNoTileFiles();
    await expectStillServing();
  });

  it('refuses hostile tile files over REST with a 400 naming the problem, writes nothing and audits the refusal', async () => {
    const view = join(dir.dir, 'view.mbtiles');
    writeMbtilesWith(view, 'CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE t (a); CREATE VIEW tiles AS SELECT 0 AS zoom_level, 0 AS tile_column, 0 AS tile_row, a AS tile_data FROM t;', null);
    const lying = writeBytes(join(dir.dir, 'lying.pmtiles'), oneTileArchive((header) => header.writeBigUInt64LE(1n << 40n, HEADER.tileDataLength)));
    for (const [file, reason] of [
      [view, /"tiles" is a view/],
      [lying, /tile data .* runs past the end of the file/],
    ] as const) {
      const answer = await raw('/tiles/packages', MULTIPART, multipart({ datum: 'wgs84', name: 'Hostile' }, 'hostile.bin', [readFileSync(file)]));
      expect(answer.status).toBe(400);
      const problem = JSON.parse(answer.body) as { code: string; errors: { field: string; message: string }[] };
      expect(problem.code).toBe('BAD_REQUEST');
      expect(problem.errors[0]).toMatchObject({ field: 'file', message: expect.stringMatching(reason) });
      await expectNoTileFiles();
    }
    const audit = (await (await get('/audit?operation=tiles.import&outcome=error')).json()) as { items: { detail: string }[] };
    expect(audit.items[0]?.detail).toMatch(/<file hostile\.bin, \d+ bytes>/);
    // A multipart body cut short is malformed: 400, nothing kept.
    const truncated = await raw('/tiles/packages', MULTIPART, [Buffer.from(`--${BOUNDARY}\r\ncontent-disposition: form-data; name="file"; filename="x"\r\n\r\nabc`)]);
    expect(truncated.status).toBe(400);
    await expectNoTileFiles();
    await expectStillServing();
  });

  it('takes a streamed upload over REST (chunked) and over the web UI RPC endpoint, leaving no staged file', async () => {
    const file = join(dir.dir, 'ok.mbtiles');
    writeMbtiles(file, 2, 'Streamed');
    const answer = await raw('/tiles/packages', MULTIPART, multipart({ datum: 'gcj02' }, 'ok.mbtiles', createReadStream(file)));
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body)).toMatchObject({ name: 'Streamed', datum: 'gcj02', tileCount: 21 });
    const rpc = createORPCClient<EdgecabClient>(new RPCLink({ url: new URL('rpc', server.url).href, headers: auth }));
    const viaRpc = await rpc.tiles.import({ file: new File([readFileSync(file)], 'rpc.mbtiles'), name: 'Over RPC', datum: 'wgs84' });
    expect(viaRpc).toMatchObject({ name: 'Over RPC', tileCount: 21 });
    expect(readdirSync(join(dir.dir, 'tiles', 'incoming'))).toEqual([]);
    expect(readdirSync(join(dir.dir, 'tiles')).filter((name) => name.endsWith('.mbtiles'))).toHaveLength(2);
    for (const each of [JSON.parse(answer.body) as { id: string }, viaRpc]) expect((await get(`/tiles/packages/${each.id}`, { method: 'DELETE' })).status).toBe(200);
  });

  describe('network policy', () => {
    let bmcLike: Server;
    let bmcHits = 0;
    let tileServer: Server;
    let tileHits = 0;
    let tileBytes = solidPng(1, 2, 3);
    let agent: Socket;
    let datagrams = 0;
    const port = (s: Server) => (s.address() as { port: number }).port;

    beforeAll(async () => {
      // Stand-ins that only record being reached: a web server for Redfish and online tiles, a UDP socket for SNMP.
      bmcLike = createServer((_req, res) => {
        bmcHits += 1;
        res.writeHead(404).end();
      });
      tileServer = createServer((_req, res) => {
        tileHits += 1;
        // No content-length: the size is only known while streaming.
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(tileBytes);
      });
      await Promise.all([bmcLike, tileServer].map((each) => new Promise<void>((listening) => each.listen(0, '127.0.0.1', listening))));
      agent = createSocket('udp4').on('message', () => (datagrams += 1));
      await new Promise<void>((bound) => agent.bind(0, '127.0.0.1', bound));
    });
    afterAll(async () => {
      await json('PUT', '/network/policy', { allowedNetworks: [] });
      bmcLike.close();
      tileServer.close();
      agent.close();
    });

    it('refuses probes to addresses outside the allowed networks and lets allowed ones through', async () => {
      expect(await (await get('/network/policy')).json()).toEqual({ allowedNetworks: [] });
      const bad = await json('PUT', '/network/policy', { allowedNetworks: ['10.0.0.0/8', 'everywhere'] });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { errors: { field: string }[] }).errors[0]?.field).toMatch(/allowedNetworks/);
      const set = await json('PUT', '/network/policy', { allowedNetworks: ['127.0.0.1/32', '::1'] });
      expect(await set.json()).toEqual({ allowedNetworks: ['127.0.0.1/32', '::1/128'] });

      const refused = await json('POST', '/devices/probe/redfish', { url: 'http://192.0.2.10', username: 'u', password: 'p', allowClearText: true });
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ code: 'NETWORK_NOT_ALLOWED', detail: expect.stringMatching(/192\.0\.2\.10.*outside the networks EdgeCab may reach \(127\.0\.0\.1\/32, ::1\/128\)/) });
      const snmpRefused = await json('POST', '/devices/probe/snmp', { host: '198.51.100.7', port: 161, version: '2c', community: 'public', timeoutMs: 200, retries: 0 });
      expect(snmpRefused.status).toBe(403);
      expect(bmcHits + datagrams).toBe(0);

      // Allowed: the probes reach the stand-ins (and fail there, as they are no BMC or agent).
      expect((await json('POST', '/devices/probe/redfish', { url: `http://127.0.0.1:${port(bmcLike)}`, username: 'u', password: 'p', allowClearText: true })).status).toBe(502);
      expect(bmcHits).toBeGreaterThan(0);
      expect((await json('POST', '/devices/probe/snmp', { host: '127.0.0.1', port: (agent.address() as { port: number }).port, version: '2c', community: 'public', timeoutMs: 200, retries: 0 })).status).toBe(502);
      expect(datagrams).toBeGreaterThan(0);

      // A name is resolved and every address checked: localhost is loopback, 10/8 does not hold it.
      await json('PUT', '/network/policy', { allowedNetworks: ['10.0.0.0/8'] });
      const byName = await json('POST', '/devices/probe/redfish', { url: `http://localhost:${port(bmcLike)}`, username: 'u', password: 'p', allowClearText: true });
      expect(byName.status).toBe(403);
      expect(((await byName.json()) as { detail: string }).detail).toMatch(/localhost \((127\.0\.0\.1|::1)\)/);
      await expectStillServing();
    });

    it('refuses device connections and wizard searches outside the allowed networks, and sends nothing there', async () => {
      const site = (await (await json('POST', '/sites', { name: 'Policy branch', code: 'NET-POL-1', latitude: 30, longitude: 114 })).json()) as { id: string };
      const cabinet = (await (await json('POST', `/sites/${site.id}/cabinet`, { templateId: 'edge-12u' })).json()) as { devices: { id: string; slotId: string | null }[] };
      const server = cabinet.devices.find((device) => device.slotId === 'srv1')!;
      const switchDevice = cabinet.devices.find((device) => device.slotId === 'sw1')!;
      await json('PUT', '/network/policy', { allowedNetworks: ['10.0.0.0/8'] });
      const hitsBefore = bmcHits;

      const connect = await json('PUT', `/devices/${server.id}/connection`, { protocol: 'redfish', url: `https://127.0.0.1:${port(bmcLike)}`, username: 'admin', password: 'secret-password' });
      expect(connect.status).toBe(403);
      expect(await connect.json()).toMatchObject({ code: 'NETWORK_NOT_ALLOWED', detail: expect.stringMatching(/127\.0\.0\.1.*10\.0\.0\.0\/8/) });
      const snmpConnect = await json('PUT', `/devices/${switchDevice.id}/connection`, { protocol: 'snmp', host: '127.0.0.1', port: 161, version: '2c', community: 'public' });
      expect(snmpConnect.status).toBe(403);
      expect(core.services.cabinets.device(server.id).endpoint).toBeNull();

      const run = (await (await json('POST', '/wizard', {})).json()) as { id: string };
      const step1 = (await (await json('PUT', `/wizard/${run.id}/site`, { name: 'Policy branch 2', code: 'NET-POL-2', latitude: 30, longitude: 114, templateId: 'edge-12u', managementSubnet: '127.0.0.0/24' })).json()) as { preflight: { id: string; ok: boolean | null; detail: string }[] };
      expect(step1.preflight.find((check) => check.id === 'subnet')).toMatchObject({ ok: false, detail: expect.stringMatching(/outside the networks EdgeCab may reach/) });
      const search = await json('POST', `/wizard/${run.id}/discover`, { ranges: `127.0.0.1`, redfishPorts: [port(bmcLike)], wait: true });
      expect(search.status).toBe(400);
      expect(((await search.json()) as { errors: { field: string; code: string; message: string }[] }).errors[0]).toMatchObject({ field: 'ranges', code: 'network_not_allowed', message: expect.stringMatching(/127\.0\.0\.1/) });
      expect(bmcHits).toBe(hitsBefore);
      await json('PUT', '/network/policy', { allowedNetworks: [] });
    });

    it('fetches online tiles only from allowed networks, and drops answers past the size bound while streaming', async () => {
      const urlTemplate = `http://127.0.0.1:${port(tileServer)}/{z}/{x}/{y}.png`;
      await json('PUT', '/network/policy', { allowedNetworks: ['10.0.0.0/8'] });
      const refused = await json('PUT', '/tiles/online', { urlTemplate, datum: 'wgs84', maxCacheMb: 16 });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { errors: { field: string; code: string }[] }).errors[0]).toMatchObject({ field: 'urlTemplate', code: 'network_not_allowed' });

      // Configured while allowed, then the policy narrows: nothing is fetched any more.
      await json('PUT', '/network/policy', { allowedNetworks: [] });
      expect((await json('PUT', '/tiles/online', { urlTemplate, datum: 'wgs84', maxCacheMb: 16 })).status).toBe(200);
      await json('PUT', '/network/policy', { allowedNetworks: ['10.0.0.0/8'] });
      expect((await fetch(new URL('/tiles/online/1/0/0', server.url), { headers: auth })).status).toBe(204);
      expect(tileHits).toBe(0);
      await json('PUT', '/network/policy', { allowedNetworks: ['127.0.0.0/8'] });
      expect((await fetch(new URL('/tiles/online/1/0/0', server.url), { headers: auth })).status).toBe(200);
      expect(tileHits).toBe(1);

      tileBytes = Buffer.concat([solidPng(1, 2, 3), Buffer.alloc(3 * MiB)]);
      expect((await fetch(new URL('/tiles/online/1/1/0', server.url), { headers: auth })).status).toBe(204);
      expect(((await (await get('/tiles/online')).json()) as { cachedTiles: number }).cachedTiles).toBe(1);
      await expectStillServing();
    });
  });
});

/** VmHWM (peak resident memory) of a process, in bytes, from /proc. */
function peakRss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB$/m);
  if (!line) throw new Error('no VmHWM in /proc status');
  return Number(line[1]) * 1024;
}

describe.runIf(process.platform === 'linux')('a 300 MiB upload streams to disk (edgecab serve as a child process)', () => {
  let child: ChildProcess;
  let url: string;
  let dir: { dir: string; cleanup: () => void };
  let auth: { authorization: string };

  beforeAll(async () => {
    dir = tempDir();
    // The token is made before the server owns the data directory.
    const setup = createCore({ dataDir: join(dir.dir, 'data'), host: 'server' });
    auth = { authorization: `Bearer ${await adminToken(setup)}` };
    await setup.close();
    child = spawn(process.execPath, [packageJson.bin.edgecab, 'serve', '--json', '--port', '0', '--trap-port', 'off', '--events-port', 'off', '--data-dir', join(dir.dir, 'data')], { stdio: ['ignore', 'pipe', 'inherit'] });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]!) as { url: string }).url);
      });
      child.once('exit', (code) => reject(new Error(`edgecab serve exited with ${code}`)));
    });
  });
  afterAll(() => {
    child?.kill();
    dir?.cleanup();
  });

  it('imports it while the server peak memory grows by a small fraction of it', async () => {
    const upload = (file: string, name: string) => rawRequest(`${url}api/v1/tiles/packages`, 'POST', { ...auth, ...MULTIPART }, multipart({ datum: 'wgs84' }, name, createReadStream(file, { highWaterMark: MiB })));
    // A small upload first, so the code paths are loaded before the baseline is taken.
    const small = join(dir.dir, 'small.mbtiles');
    writeMbtiles(small, 1);
    expect((await upload(small, 'small.mbtiles')).status).toBe(201);
    const big = join(dir.dir, 'big.mbtiles');
    const db = new BetterSqlite3(big);
    db.exec(`CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
      CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row); INSERT INTO metadata VALUES ('format', 'png'), ('name', 'Big');`);
    const insert = db.prepare('INSERT INTO tiles VALUES (?, ?, ?, zeroblob(?))');
    db.transaction(() => {
      for (let index = 0; index < 300; index += 1) insert.run(9, index, 0, MiB);
    })();
    db.close();
    expect(statSync(big).size).toBeGreaterThan(300 * MiB);

    const before = peakRss(child.pid!);
    const answer = await upload(big, 'big.mbtiles');
    const after = peakRss(child.pid!);
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body)).toMatchObject({ name: 'Big', tileCount: 300 });
    console.log(`edgecab serve peak RSS ${(before / MiB).toFixed(1)} MiB before a ${(statSync(big).size / MiB).toFixed(0)} MiB upload, ${(after / MiB).toFixed(1)} MiB after (+${((after - before) / MiB).toFixed(1)} MiB)`);
    expect(after - before).toBeLessThan(64 * MiB);
  }, 120_000);
});
