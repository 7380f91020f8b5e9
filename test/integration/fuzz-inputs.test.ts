import { ORPCError } from '@orpc/server';
import fc from 'fast-check';
import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/index.js';
import { InvalidInputError } from '../../main/core/errors.js';
import { RedfishClient, RedfishError } from '../../main/core/protocols/redfish/client.js';
import { readInventory, readVitals } from '../../main/core/protocols/redfish/inventory.js';
import { TrapReceiver } from '../../main/core/protocols/snmp/traps.js';
import { selfSignedCertificate } from '../../main/lab/redfish/certificate.js';
import { loadMockup, normalizePath, type Resource } from '../../main/lab/redfish/store.js';
import { SiteFields } from '../../shared/domain/site.js';
import type { SnmpTrapEvent } from '../../shared/domain/snmp.js';
import { tempCore, tempDir } from '../support/core.js';
import { solidPng, writeMbtiles } from '../support/mbtiles.js';
import { writePmtiles } from '../support/pmtiles.js';
import { freeUdpPort, V3 } from '../support/snmp-peers.js';
import { mutatedFile, PMTILES_FIELDS, SQLITE_FIELDS } from '../support/fuzz/bytes.js';
import { csvArbitrary, validRows } from '../support/fuzz/csv.js';
import { DatabaseSnapshots } from '../support/fuzz/db-snapshot.js';
import { deeplyNested, HOSTILE_STRINGS, hostileValue, mutatedOf } from '../support/fuzz/schema-arbitrary.js';

/**
 * Fuzz of the inputs EdgeCab reads from files and devices (issue 16, item
 * 10): sites CSV imports, MBTiles/PMTiles packages, SNMP datagrams into the
 * trap receiver, and Redfish answers into the client. Each prints the cases
 * it tried. EDGECAB_FUZZ_SEED replays a run, EDGECAB_FUZZ_RUNS scales it,
 * EDGECAB_FUZZ_TRACE=file logs each Redfish scenario before it runs (to find a hang).
 */

const SEED = Number(process.env.EDGECAB_FUZZ_SEED ?? 20_161_010);
const SCALE = Number(process.env.EDGECAB_FUZZ_RUNS ?? 1);
const runs = (count: number) => Math.max(2, Math.round(count * SCALE));
const run = promisify(execFile);

describe('CSV import fuzz', () => {
  let temp: ReturnType<typeof tempCore>;
  let core: Core;
  beforeAll(() => {
    temp = tempCore();
    core = temp.core;
    const north = core.services.regions.create({ name: 'North' });
    core.services.regions.create({ name: 'City', parentId: north.id });
    core.services.sites.create({ name: 'Existing', code: 'FZ-0', latitude: 1, longitude: 1 });
  });
  afterAll(() => temp.cleanup());

  it('previews without writing and commits only valid rows, whatever the file', async () => {
    const client = core.client('fuzz');
    const snapshots = new DatabaseSnapshots(core.db, temp.dataDir);
    const sites = () => core.db.prepare('SELECT id, name, code, latitude, longitude, region_id, address, contact FROM sites').all() as { id: string; name: string; code: string; latitude: number; longitude: number; region_id: number | null; address: string | null; contact: string | null }[];
    const tally = { cases: 0, previews: 0, commits: 0, created: 0, rowErrors: 0, refused: 0 };
    let batch = 0;
    const file = fc.oneof(
      { weight: 4, arbitrary: csvArbitrary },
      // Valid rows with fresh codes around hostile ones, so commits create something.
      { weight: 1, arbitrary: csvArbitrary.map((csv) => ({ csv: `name,code,latitude,longitude,region\n${validRows(3, `B${(batch += 1)}`)}\n${csv.csv.split(/\r?\n/).slice(1).join('\n')}`, note: `3 valid rows, then ${csv.note}` })) },
      { weight: 1, arbitrary: fc.constantFrom({ csv: '', note: 'empty' }, { csv: '\ufeff', note: 'BOM only' }, { csv: 'name,code,latitude,longitude\nA,"unterminated,1,2', note: 'unterminated quote' }, { csv: `name,code,latitude,longitude\n${'"'.repeat(50_000)}`, note: 'quotes' }, { csv: `名称,编码,纬度,经度,区域\n北京站,BJ-${(batch += 1)},39.9,116.4,North/City\n`, note: 'Chinese headers' }) },
    );
    await fc.assert(
      fc.asyncProperty(file, fc.constantFrom<'preview' | 'commit'>('preview', 'commit'), async ({ csv, note }, mode) => {
        tally.cases += 1;
        const before = sites();
        const snapshot = snapshots.take();
        let result: Awaited<ReturnType<typeof client.sites.importCsv>>;
        try {
          result = await client.sites.importCsv({ csv, mode });
        } catch (error) {
          // Only the contract's input check may refuse a file (empty, over 32 MiB); a refusal writes nothing.
          if (!(error instanceof ORPCError) || error.code !== 'BAD_REQUEST') throw new Error(`${note}: unexpected ${(error as Error).name}: ${(error as Error).message}`);
          tally.refused += 1;
          expect(DatabaseSnapshots.diff(snapshot, snapshots.take())).toEqual([]);
          return;
        }
        tally.rowErrors += result.errors.length;
        const after = sites();
        if (mode === 'preview') {
          tally.previews += 1;
          expect(result.created, note).toBe(0);
          expect(DatabaseSnapshots.diff(snapshot, snapshots.take()), note).toEqual([]);
          return;
        }
        tally.commits += 1;
        tally.created += result.created;
        const known = new Set(before.map((site) => site.id));
        const added = after.filter((site) => !known.has(site.id));
        expect(added.length, note).toBe(result.created);
        expect(result.created, note).toBe(result.validRows);
        const takenBefore = new Set(before.map((site) => site.code.toLowerCase()));
        for (const site of added) {
          // What was written is what a single create would accept: commit never writes a row that failed a check.
          const fields = { name: site.name, code: site.code, latitude: site.latitude, longitude: site.longitude, regionId: site.region_id, address: site.address, contact: site.contact };
          expect(SiteFields.safeParse(fields).success, `${note}: wrote ${JSON.stringify(fields).slice(0, 200)}`).toBe(true);
          expect(takenBefore.has(site.code.toLowerCase()), `${note}: duplicate code ${site.code}`).toBe(false);
        }
        for (const error of result.errors) expect(error.line, note).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: runs(260), seed: SEED },
    );
    console.log(`fuzz csv import: ${tally.cases} cases (${tally.previews} previews, ${tally.commits} commits, ${tally.refused} refused), ${tally.created} sites created, ${tally.rowErrors} row errors reported`);
  }, 120_000);
});

describe('tile package import fuzz', () => {
  let temp: ReturnType<typeof tempCore>;
  let files: { dir: string; cleanup: () => void };
  beforeAll(() => {
    temp = tempCore();
    files = tempDir();
  });
  afterAll(() => {
    temp.cleanup();
    files.cleanup();
  });

  /** An MBTiles file with fuzzed metadata and, sometimes, odd tiles: values a broken exporter writes. */
  function mbtilesWithMetadata(path: string, metadata: [string, string][], tiles: [number, number, number, Buffer | string | null][]): Buffer {
    const db = new BetterSqlite3(path);
    db.exec('CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB); CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);');
    const meta = db.prepare('INSERT INTO metadata VALUES (?, ?)');
    for (const [key, value] of metadata) meta.run(key, value);
    const insert = db.prepare('INSERT OR IGNORE INTO tiles VALUES (?, ?, ?, ?)');
    for (const tile of tiles) insert.run(...tile);
    db.close();
    return readFileSync(path);
  }

  it('registers a package or refuses it clearly, never crashes and never leaves a file behind', async () => {
    const tiles = temp.core.services.tiles;
    const tilesDir = join(temp.dataDir, 'tiles');
    const sources = {
      mbtiles: (() => {
        writeMbtiles(join(files.dir, 'source.mbtiles'), 2, 'Source');
        return readFileSync(join(files.dir, 'source.mbtiles'));
      })(),
      pmtiles: (() => {
        writePmtiles(join(files.dir, 'source.pmtiles'), 2, 'png', 'Source');
        return readFileSync(join(files.dir, 'source.pmtiles'));
      })(),
      vector: (() => {
        writePmtiles(join(files.dir, 'vector.pmtiles'), 1, 'mvt', 'Vector');
        return readFileSync(join(files.dir, 'vector.pmtiles'));
      })(),
    };
    let counter = 0;
    const metadataValue = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ maxLength: 30 }), fc.integer().map(String), fc.constant('x'.repeat(70_000)), fc.constantFrom('png', 'jpg', 'webp', 'pbf', 'PNG', ''), fc.constantFrom('-180,-85,180,85', '1,2,3', 'NaN,NaN,NaN,NaN', '200,100,-200,-100', '0,0,0,0'));
    const metadataFile = fc
      .record({
        metadata: fc.array(fc.tuple(fc.constantFrom('name', 'format', 'minzoom', 'maxzoom', 'bounds', 'attribution', 'center', 'type', 'json', '__proto__'), metadataValue), { maxLength: 8 }),
        tiles: fc.array(fc.tuple(fc.integer({ min: -2, max: 40 }), fc.integer({ min: -1, max: 2 ** 31 }), fc.integer({ min: -1, max: 2 ** 31 }), fc.constantFrom<Buffer | string | null>(solidPng(1, 2, 3), Buffer.alloc(0), null, 'text tile', Buffer.alloc(5 * 1024 * 1024, 1))), { maxLength: 4 }),
      })
      .map(({ metadata, tiles: rows }) => ({ data: mbtilesWithMetadata(join(files.dir, `meta-${(counter += 1)}.mbtiles`), metadata, rows), note: `metadata ${JSON.stringify(metadata.map(([key, value]) => [key, value.slice(0, 20)]))}, ${rows.length} tiles` }));
    const file = fc.oneof(
      { weight: 4, arbitrary: mutatedFile(sources.mbtiles, SQLITE_FIELDS).map((each) => ({ ...each, note: `MBTiles ${each.note}` })) },
      { weight: 4, arbitrary: mutatedFile(sources.pmtiles, PMTILES_FIELDS).map((each) => ({ ...each, note: `PMTiles ${each.note}` })) },
      { weight: 2, arbitrary: mutatedFile(sources.vector, PMTILES_FIELDS).map((each) => ({ ...each, note: `vector PMTiles ${each.note}` })) },
      { weight: 2, arbitrary: metadataFile },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 4096 }).map((bytes) => ({ data: Buffer.from(bytes), note: 'random bytes' })) },
      { weight: 1, arbitrary: fc.constantFrom({ data: sources.mbtiles, note: 'valid MBTiles' }, { data: sources.pmtiles, note: 'valid PMTiles' }, { data: Buffer.from('PMTiles'), note: 'PMTiles magic only' }, { data: Buffer.from('SQLite format 3\u0000'), note: 'SQLite magic only' }) },
    );
    const tally = { cases: 0, registered: 0, refused: 0, tilesRead: 0 };
    await fc.assert(
      fc.asyncProperty(file, fc.constantFrom('', 'Fuzz', '<b>x</b>', '站点'), async ({ data, note }, name) => {
        tally.cases += 1;
        let registered: Awaited<ReturnType<typeof tiles.importPackage>> | null = null;
        try {
          registered = await tiles.importPackage(data, name, 'wgs84', 'fuzz');
        } catch (error) {
          // A clear refusal: the file field, with a reason a person can read.
          if (!(error instanceof InvalidInputError)) throw new Error(`${note}: not a clear refusal but ${(error as Error).name}: ${(error as Error).message}`);
          expect(error.issues[0]?.field, note).toBe('file');
          expect(error.message.length, note).toBeGreaterThan(10);
          tally.refused += 1;
        }
        if (registered) {
          tally.registered += 1;
          expect(registered.tileCount, note).toBeGreaterThanOrEqual(0);
          // A registered package is served: a tile read answers data, nothing, or an error the tile route turns into 404; never a crash.
          for (const [z, x, y] of [[0, 0, 0], [1, 1, 0], [2, 3, 3], [30, 0, 0]] as const) {
            await tiles.tile(registered.id, z, x, y).then(() => (tally.tilesRead += 1), (error: unknown) => expect(error, note).toBeInstanceOf(Error));
          }
        }
        // Nothing left behind: the staging folder is empty and every file in tiles/ is a registered package's.
        expect(existsSync(join(tilesDir, 'incoming')) ? readdirSync(join(tilesDir, 'incoming')) : [], note).toEqual([]);
        const packaged = new Set(tiles.list().map((each) => `${each.id}.${each.container}`));
        expect(readdirSync(tilesDir).filter((entry) => entry !== 'incoming' && !packaged.has(entry)), note).toEqual([]);
      }),
      { numRuns: runs(400), seed: SEED },
    );
    console.log(`fuzz tile import: ${tally.cases} cases (${tally.registered} registered, ${tally.refused} refused), ${tally.tilesRead} tile reads on registered packages`);
  }, 120_000);
});

describe('SNMP trap receiver fuzz', () => {
  const COMMUNITY = 'fuzz-traps';
  let receiver: TrapReceiver;
  let sender: Socket;
  const events: SnmpTrapEvent[] = [];
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  /** Real trap datagrams, as Net-SNMP's snmptrap sends them (v1, v2c, v3 authPriv, an inform, a wrong community). */
  const captured: { name: string; data: Buffer }[] = [];

  async function capture(name: string, args: string[], capturePort: number, socket: Socket): Promise<void> {
    const received = new Promise<Buffer>((resolve) => socket.once('message', (message: Buffer) => resolve(message)));
    await run(args[0]!, [...args.slice(1).map((arg) => arg.replace('TARGET', `127.0.0.1:${capturePort}`))]).catch(() => undefined);
    captured.push({ name, data: await received });
  }

  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const port = socket.address().port;
    await capture('v2c linkDown', ['snmptrap', '-v', '2c', '-c', COMMUNITY, '-m', '', 'TARGET', '', '1.3.6.1.6.3.1.1.5.3', '1.3.6.1.2.1.2.2.1.1.7', 'i', '7', '1.3.6.1.2.1.2.2.1.2.7', 's', 'GigabitEthernet0/0/7'], port, socket);
    await capture('v1 enterprise', ['snmptrap', '-v', '1', '-c', COMMUNITY, '-m', '', 'TARGET', '1.3.6.1.4.1.99999', '127.0.0.1', '6', '42', '', '1.3.6.1.4.1.99999.1', 's', 'custom'], port, socket);
    await capture('v3 authPriv UPS on battery', ['snmptrap', '-v', '3', '-u', V3.user, '-l', 'authPriv', '-a', 'SHA', '-A', V3.authKey, '-x', 'AES', '-X', V3.privKey, '-e', '0x8000000001020304', '-m', '', 'TARGET', '', '1.3.6.1.2.1.33.2.1', '1.3.6.1.2.1.33.1.2.2.0', 'i', '12'], port, socket);
    await capture('v2c inform', ['snmpinform', '-v', '2c', '-c', COMMUNITY, '-m', '', '-t', '0.2', '-r', '0', 'TARGET', '', '1.3.6.1.6.3.1.1.5.1'], port, socket);
    await capture('v2c UPS alarm', ['snmptrap', '-v', '2c', '-c', COMMUNITY, '-m', '', 'TARGET', '', '1.3.6.1.2.1.33.2.3', '1.3.6.1.2.1.33.1.6.2.1.2.1', 'o', '1.3.6.1.2.1.33.1.6.3.2', '1.3.6.1.2.1.1.3.0', 't', '12345'], port, socket);
    socket.close();
    receiver = await TrapReceiver.start({ port: await freeUdpPort(), communities: [COMMUNITY], users: [{ user: V3.user, authProtocol: 'sha', authKey: V3.authKey, privProtocol: 'aes', privKey: V3.privKey }] });
    receiver.on('trap', (event) => events.push(event));
    sender = createSocket('udp4');
  }, 30_000);
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    sender?.close();
    await receiver?.close();
  });

  const sendDatagram = (data: Buffer) => new Promise<void>((resolve, reject) => sender.send(data, receiver.port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
  const settle = async (before: number): Promise<boolean> => {
    for (let wait = 0; wait < 100; wait += 1) {
      if (receiver.stats().received > before) {
        // One more turn: delivery runs from setImmediate.
        await new Promise((resolve) => setImmediate(resolve));
        return true;
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return false;
  };

  /** BER that claims the impossible: huge or indefinite lengths, deep nesting, truncated integers. */
  const hostileBer = fc.oneof(
    fc.constantFrom(
      Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x01, 0x01]),
      Buffer.from([0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00]),
      Buffer.from([0x30, 0x89, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09]),
      Buffer.from([0x30, 0x03, 0x02, 0x81]),
      Buffer.from([0x30, 0x06, 0x02, 0x04, 0xff, 0xff, 0xff, 0xff]),
      Buffer.concat([Buffer.from([0x30, 0x82, 0x0f, 0xa0]), Buffer.alloc(4000, 0x30)]),
      Buffer.alloc(0),
      Buffer.alloc(65_000, 0xff),
    ),
    fc.integer({ min: 10, max: 4000 }).map((depth) => {
      // Nested SEQUENCEs, each claiming what is left, ending in an integer.
      let inner = Buffer.from([0x02, 0x01, 0x01]);
      for (let level = 0; level < depth && inner.length < 60_000; level += 1) {
        const length = inner.length;
        const header = length < 0x80 ? Buffer.from([0x30, length]) : length < 0x100 ? Buffer.from([0x30, 0x81, length]) : Buffer.from([0x30, 0x82, length >> 8, length & 0xff]);
        inner = Buffer.concat([header, inner]);
      }
      return inner;
    }),
  );

  it('counts random and mutated datagrams as malformed or refused, stays up, and still delivers a valid trap', async () => {
    expect(captured.map((each) => each.name)).toHaveLength(5);
    const reference = captured[0]!.data;
    const datagram = fc.oneof(
      { weight: 2, arbitrary: fc.uint8Array({ maxLength: 1500 }).map((bytes) => ({ data: Buffer.from(bytes), note: 'random bytes' })) },
      { weight: 6, arbitrary: fc.constantFrom(...captured).chain((real) => mutatedFile(real.data, []).map((each) => ({ data: each.data, note: `${real.name} ${each.note}` }))) },
      { weight: 2, arbitrary: hostileBer.map((data) => ({ data, note: 'hostile BER' })) },
    );
    const tally = { cases: 0, malformed: 0, refused: 0, delivered: 0, uncounted: 0, validChecks: 0 };
    const deliveredAgain = async () => {
      const count = events.length;
      const before = receiver.stats().received;
      await sendDatagram(reference);
      await settle(before);
      for (let wait = 0; wait < 200 && events.length === count; wait += 1) await new Promise((resolve) => setTimeout(resolve, 5));
      tally.validChecks += 1;
      return events.slice(count).some((event) => event.kind === 'linkDown' && event.ifIndex === '7');
    };
    expect(await deliveredAgain()).toBe(true);
    await fc.assert(
      fc.asyncProperty(datagram, async ({ data, note }) => {
        tally.cases += 1;
        const before = receiver.stats();
        await sendDatagram(data);
        const counted = await settle(before.received);
        const after = receiver.stats();
        if (!counted) tally.uncounted += 1;
        tally.malformed += after.malformed - before.malformed;
        tally.refused += after.refused - before.refused;
        tally.delivered += after.delivered - before.delivered;
        // Every datagram counted is accounted for: delivered (it still decodes as a trap), dropped, malformed or refused.
        expect(after.received, note).toBe(after.delivered + after.dropped + after.malformed + after.refused);
        expect(uncaught, note).toEqual([]);
        if (tally.cases % 100 === 0) expect(await deliveredAgain(), `after ${note}`).toBe(true);
      }),
      { numRuns: runs(900), seed: SEED },
    );
    expect(await deliveredAgain()).toBe(true);
    expect(uncaught).toEqual([]);
    console.log(`fuzz snmp traps: ${tally.cases} datagrams (${tally.malformed} malformed, ${tally.refused} refused, ${tally.delivered} still valid traps, ${tally.uncounted} not counted), ${tally.validChecks} valid traps delivered in between`);
    // Net-SNMP's receiver drops some datagrams without a word (e.g. a PDU that is no notification): few, and never a crash.
    expect(tally.uncounted).toBeLessThan(tally.cases / 4);
  }, 120_000);
});

describe('Redfish answers fuzz', () => {
  const mockup = join(process.cwd(), 'assets/lab/redfish-rackmount1');
  const certificate = selfSignedCertificate('fuzz-bmc');
  let server: Server;
  let url: string;
  let fingerprint: string;
  /** What the BMC answers now: the mockup's resources (mutated), and raw answers for some paths. */
  let scenario: Scenario;

  type Raw = { status: number; contentType: string | null; body: string | Buffer } | { stall: true };
  interface Scenario {
    resources: Map<string, Resource>;
    raw: Map<string, Raw>;
    login: 'token' | 'no-sessions' | 'refused' | 'failing' | 'no-token';
    note: string;
  }

  const base = loadMockup(mockup);
  /** Paths a clean inventory read visits (recorded in beforeAll): most changes go where the client looks. */
  const visited = new Set<string>();
  let paths: string[] = [];

  function answer(req: IncomingMessage, res: ServerResponse): void {
    const target = new URL(req.url ?? '/', 'https://bmc');
    const path = normalizePath(target.pathname);
    visited.add(path);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST' && path === '/redfish/v1/SessionService/Sessions') {
      req.resume();
      const login = scenario.login;
      if (login === 'token') return json(201, { '@odata.id': '/redfish/v1/SessionService/Sessions/1' }, { 'x-auth-token': 'fuzz-token', location: '/redfish/v1/SessionService/Sessions/1' });
      if (login === 'no-token') return json(201, {});
      if (login === 'no-sessions') return json(404, { error: { message: 'no sessions' } });
      if (login === 'refused') return json(401, { error: { message: 'no' } });
      return json(503, { error: { message: 'busy' } });
    }
    if (req.method !== 'GET') {
      req.resume();
      res.writeHead(204);
      res.end();
      return;
    }
    const raw = scenario.raw.get(path);
    if (raw) {
      // A stalled answer never comes; the client's timeout must end the wait (the socket is closed when the server stops).
      if ('stall' in raw) return;
      res.writeHead(raw.status, raw.contentType ? { 'content-type': raw.contentType } : {});
      res.end(raw.body);
      return;
    }
    const resource = scenario.resources.get(path);
    if (!resource) return json(404, { error: { code: 'Base.1.0.ResourceMissingAtURI', message: `${path} not found` } });
    if (target.searchParams.has('$expand') && Array.isArray(resource.Members)) {
      const members = resource.Members.map((member: unknown) => {
        const link = typeof member === 'object' && member !== null ? (member as Record<string, unknown>)['@odata.id'] : null;
        return (typeof link === 'string' && scenario.resources.get(normalizePath(link))) || member;
      });
      return json(200, { ...resource, Members: members });
    }
    json(200, resource);
  }

  beforeAll(async () => {
    server = createServer({ cert: certificate.cert, key: certificate.key }, answer);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const probe = new RedfishClient({ url, username: 'x', password: 'x', trustOnFirstUse: true, requestTimeoutMs: 2000 });
    scenario = { resources: loadMockup(mockup), raw: new Map(), login: 'token', note: 'clean' };
    await probe.serviceRoot();
    fingerprint = probe.fingerprint!;
    await readInventory(probe);
    await readVitals(probe);
    await probe.close();
    // Members come inline (the mockup advertises $expand): they are read too, without a request of their own.
    const members = [...visited].flatMap((path) => {
      const list = base.get(path)?.Members;
      return Array.isArray(list) ? list.map((member) => String((member as Record<string, unknown>)['@odata.id'] ?? '')) : [];
    });
    paths = [...new Set([...visited, ...members].map(normalizePath))].filter((path) => base.has(path));
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  /** One thing wrong with one resource (built once the visited paths are known). */
  const changes = () => fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...paths).chain((path) => mutatedOf(fc.constant(base.get(path))).map(({ value, mutations }) => ({ path, resource: value, note: `${path} ${mutations.join('+')}` }))) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...paths.filter((path) => Array.isArray(base.get(path)?.Members))), fc.constantFrom(5_000, 60_000), fc.boolean()).map(([path, count, linked]) => ({ path, resource: { ...base.get(path), Members: Array.from({ length: count }, (_, index) => (linked ? { '@odata.id': `${path}/fuzz-${index}` } : { Id: String(index), Name: 'x', Status: { Health: 'OK' } })) }, note: `${path} with ${count} members` })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...paths), fc.constantFrom(...paths)).map(([path, target]) => ({ path, resource: { ...base.get(path), 'Members@odata.nextLink': path, Members: [{ '@odata.id': target }, { '@odata.id': path }], Systems: { '@odata.id': path }, Chassis: { '@odata.id': target }, Links: { Chassis: [{ '@odata.id': path }] } }, note: `${path} linking to itself and ${target}` })) },
    { weight: 1, arbitrary: fc.constantFrom(...paths).map((path) => ({ path, resource: { ...base.get(path), Oem: deeplyNested(1_000, 'object'), Status: deeplyNested(1_000, 'array') }, note: `${path} deeply nested` })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...paths), hostileValue).map(([path, value]) => ({ path, resource: value, note: `${path} replaced by a ${Array.isArray(value) ? 'list' : typeof value}` })) },
  );
  /** A raw answer for one path: not JSON, wrong type, an error, a redirect, too large, or none at all. */
  const rawAnswer = fc.oneof(
    fc.constantFrom<Raw>(
      { status: 200, contentType: 'text/html', body: '<html><body>Login</body></html>' },
      { status: 200, contentType: 'application/json', body: '{"@odata.id": "/redfish/v1/", "Name": ' },
      { status: 200, contentType: 'text/plain', body: '{"Name": "plain"}' },
      { status: 200, contentType: null, body: '' },
      { status: 200, contentType: 'application/json', body: '\ufeff{"Name": "bom"}' },
      { status: 200, contentType: 'application/json', body: '[1,2,3]' },
      { status: 200, contentType: 'application/json', body: '"just a string"' },
      { status: 200, contentType: 'application/json', body: 'null' },
      { status: 200, contentType: 'application/json', body: `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}` },
      { status: 200, contentType: 'application/json', body: '{"error": {"message": "200 but failed"}}' },
      { status: 500, contentType: 'application/json', body: '{"error": {"@Message.ExtendedInfo": [{"Message": 42}]}}' },
      { status: 503, contentType: 'text/plain', body: 'busy' },
      { status: 401, contentType: null, body: '' },
      { status: 403, contentType: 'application/json', body: '{}' },
      { status: 302, contentType: 'text/html', body: 'moved' },
      { status: 204, contentType: null, body: '' },
      { status: 429, contentType: null, body: '' },
      { status: 200, contentType: 'application/json', body: Buffer.alloc(9 * 1024 * 1024, 0x20) },
      { stall: true },
    ),
  );
  const scenarios = (): fc.Arbitrary<Scenario> => fc
    .record({
      changes: fc.array(changes(), { minLength: 0, maxLength: 4 }),
      raws: fc.array(fc.tuple(fc.constantFrom('/redfish/v1', ...paths), rawAnswer), { maxLength: 2 }),
      login: fc.constantFrom<Scenario['login']>('token', 'token', 'token', 'no-sessions', 'refused', 'failing', 'no-token'),
    })
    .map(({ changes, raws, login }) => {
      const resources = loadMockup(mockup);
      for (const { path, resource } of changes) resources.set(path, resource as Resource);
      // A stall costs the client a timeout per retry: at most one per scenario.
      const raw = new Map<string, Raw>();
      for (const [path, value] of raws) if (!('stall' in value) || ![...raw.values()].some((each) => 'stall' in each)) raw.set(path, value);
      const notes = [...changes.map((each) => each.note), ...[...raw].map(([path, value]) => `${path} answers ${'stall' in value ? 'never' : `${value.status} ${value.contentType ?? ''}`}`), `login ${login}`];
      return { resources, raw, login, note: notes.join('; ') };
    });

  const POLL_MS = 1500;
  const REQUEST_MS = 400;
  /** The poll budget, plus what requests started before it ran out may still take (a timeout per try, backoff), login and logout. */
  const BOUND_MS = POLL_MS + 4 * REQUEST_MS + 2 * REQUEST_MS + 1500;

  it('readInventory and readVitals resolve or fail with a RedfishError, within their budget, in bounded memory', async () => {
    const tally = { cases: 0, resolved: 0, redfishErrors: 0, slowest: 0, problems: 0 };
    const heapStart = process.memoryUsage().heapUsed;
    let heapPeak = heapStart;
    await fc.assert(
      fc.asyncProperty(scenarios(), fc.constantFrom('inventory', 'vitals'), async (next, reader) => {
        tally.cases += 1;
        scenario = next;
        const client = new RedfishClient({ url, username: 'fuzz', password: 'fuzz-password', pinnedFingerprint: fingerprint, requestTimeoutMs: REQUEST_MS, retries: 1 });
        if (process.env.EDGECAB_FUZZ_TRACE) appendFileSync(process.env.EDGECAB_FUZZ_TRACE, `${tally.cases} ${reader} ${next.note.slice(0, 500)}\n`);
        const started = performance.now();
        try {
          const result = reader === 'inventory' ? await readInventory(client, { pollTimeoutMs: POLL_MS }) : await readVitals(client, { pollTimeoutMs: POLL_MS });
          tally.resolved += 1;
          tally.problems += result.problems.length;
        } catch (error) {
          if (!(error instanceof RedfishError)) throw new Error(`${reader} with ${next.note}: ${(error as Error).name}: ${(error as Error).message}`.slice(0, 2000));
          tally.redfishErrors += 1;
        } finally {
          await client.close();
        }
        const elapsed = performance.now() - started;
        tally.slowest = Math.max(tally.slowest, elapsed);
        expect(elapsed, `${reader} with ${next.note}`).toBeLessThan(BOUND_MS);
        heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      }),
      { numRuns: runs(120), seed: SEED },
    );
    console.log(`fuzz redfish answers: ${tally.cases} cases over ${paths.length} resources the client reads (${tally.resolved} read with ${tally.problems} problems listed, ${tally.redfishErrors} RedfishError), slowest ${Math.round(tally.slowest)} ms of ${BOUND_MS} allowed, heap peak +${Math.round((heapPeak - heapStart) / 1e6)} MB`);
    expect(heapPeak - heapStart).toBeLessThan(400e6);
  }, 300_000);
});
