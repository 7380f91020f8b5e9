import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/core/index.js';
import { policyOf } from '../../main/core/api/permissions.js';
import { rendererDir } from '../../main/cli/paths.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { LabEnvironmentMonitor } from '../../main/lab/snmp/devices.js';
import { buildOpenApiDocument } from '../../main/server/openapi.js';
import { startServer, type RunningServer } from '../../main/server/server.js';
import { adminHeaders, TEST_PASSWORD, userWithToken } from '../support/auth.js';
import { tempDir } from '../support/core.js';
import { writeMbtiles } from '../support/mbtiles.js';
import { writePmtiles } from '../support/pmtiles.js';
import { mutatedFile, PMTILES_FIELDS, SQLITE_FIELDS } from '../support/fuzz/bytes.js';
import { FuzzChecker, type Expectation } from '../support/fuzz/checker.js';
import { csvArbitrary } from '../support/fuzz/csv.js';
import { DatabaseSnapshots } from '../support/fuzz/db-snapshot.js';
import { closeAgent, send, type RawResponse } from '../support/fuzz/http.js';
import { discoveryRanges, loopbackNetworks, managementSubnet, redfishUrl, snmpHost, tileUrlTemplate } from '../support/fuzz/loopback.js';
import { multipartBody, type Part } from '../support/fuzz/multipart.js';
import { describeCase, routeCases, toRawRequest, type Body, type Pools, type RouteCase } from '../support/fuzz/rest-cases.js';
import { routesOf, type Route } from '../support/fuzz/routes.js';
import { HOSTILE_STRINGS, type Overrides } from '../support/fuzz/schema-arbitrary.js';
import { secretValues } from '../support/fuzz/secrets.js';

/**
 * Property-based fuzz of every REST route the contract declares (issue 16,
 * item 10). The routes come from the OpenAPI document generated from the
 * contract; each gets valid-looking, mutated and malformed bodies, queries,
 * path parameters and hostile headers, as an administrator, and samples go
 * unauthenticated, as a viewer and with forged credentials. The properties
 * (FuzzChecker) hold for every answer; a summary per route group and a
 * total are printed.
 *
 * Devices are real peers on loopback: a lab BMC (HTTPS Redfish) and a lab
 * environment monitor (SNMP), so probes, refreshes, power actions and the
 * wizard's search reach something that answers, quickly. The network policy
 * is loopback only, generated hosts are loopback or .invalid names
 * (test/support/fuzz/loopback.ts), and timeouts in inputs are kept short.
 *
 * A 5xx is allowed only where the route's contract declares it: 502
 * DEVICE_UNREACHABLE on the routes that read a device now (refresh, power,
 * both probes) and 501 LAB_UNAVAILABLE on lab.start/lab.fault (this core
 * has no lab). Routes that reach devices in the background (wizard steps,
 * site polls) declare none: a device failing is an item or a reading there.
 * A viewer may get 400 as well as 401/403/404 on what needs more than a
 * viewer: input is validated before the permission check (router.ts), and
 * the schemas are public in the OpenAPI document anyway.
 *
 * EDGECAB_FUZZ_SEED replays a run; EDGECAB_FUZZ_RUNS scales the cases per route;
 * EDGECAB_FUZZ_SHRINK=1 shrinks a failure (slow: every step is a request);
 * EDGECAB_FUZZ_TIMES=1 prints time and statuses per route.
 */

const SEED = Number(process.env.EDGECAB_FUZZ_SEED ?? 20_161_010);
const SCALE = Number(process.env.EDGECAB_FUZZ_RUNS ?? 1);
const LOOPBACK_POLICY = { allowedNetworks: ['127.0.0.0/8'] };
/** A short plan: device reads in the fuzz give up within seconds. */
const SHORT_PLAN = { healthSeconds: 30, inventorySeconds: 300, timeoutSeconds: 2, inventoryTimeoutSeconds: 5, globalConcurrency: 8, siteConcurrency: 4 };

/** Cases per route: most are cheap; those that reach a device, hash a password or carry files get fewer. */
const RUNS: Record<string, number> = {
  'devices.probeRedfish': 14,
  'devices.probeSnmp': 14,
  'devices.probeEngine': 12,
  'devices.refresh': 10,
  'devices.power': 10,
  'monitor.pollSite': 8,
  'wizard.site': 14,
  'wizard.discover': 14,
  'wizard.confirm': 14,
  'wizard.secure': 12,
  'wizard.configure': 12,
  'wizard.verify': 8,
  'wizard.report': 10,
  'users.create': 14,
  'users.setPassword': 14,
  'users.update': 20,
  'events.subscribe': 10,
  'tiles.import': 30,
  'sites.importCsv': 30,
  'lab.start': 12,
  'lab.fault': 12,
};
const DEFAULT_RUNS = 26;
const runsOf = (operationId: string) => Math.max(2, Math.round((RUNS[operationId] ?? DEFAULT_RUNS) * SCALE));

/** Run order: reads, then what reaches devices (before connections are fuzzed away from the lab peers), then other writes, then deletions. */
const DEVICE_ROUTES = ['devices.refresh', 'devices.power', 'monitor.pollSite', 'devices.probeRedfish', 'devices.probeSnmp', 'wizard.site', 'wizard.discover', 'wizard.confirm', 'wizard.secure', 'wizard.configure', 'wizard.verify'];
function rank(route: Route): number {
  if (route.method === 'GET') return 0;
  if (DEVICE_ROUTES.includes(route.operationId)) return 1 + DEVICE_ROUTES.indexOf(route.operationId) / 100;
  if (route.method === 'DELETE') return 3;
  return 2;
}

interface Planted {
  adminUserId: string;
  adminToken: string;
  viewerToken: string;
  victimUserId: string;
  session: { cookie: string; csrf: string };
  templates: string[];
  slotIds: string[];
}

describe('REST fuzz: every route of the contract', () => {
  let dir: { dir: string; cleanup: () => void };
  /** Files the test makes (tile packages to upload) live outside the data directory, whose files the checker watches. */
  let files: { dir: string; cleanup: () => void };
  let core: Core;
  let server: RunningServer;
  let origin: URL;
  let bmc: LabBmc;
  let environment: LabEnvironmentMonitor;
  let checker: FuzzChecker;
  let routes: Route[];
  let admin: [string, string][];
  let planted: Planted;
  const failures: string[] = [];
  const secrets = {
    bmcPassword: 'Planted-BMC-pw-7f3a9c2e',
    community: 'planted-community-5b1d',
    v3AuthKey: 'planted-v3-auth-8c2f1a',
    v3PrivKey: 'planted-v3-priv-4e9b7d',
    webhook: 'planted-webhook-secret-0d6c3e9a',
    wizardPassword: 'Planted-wizard-pw-2a7e',
    wizardCommunity: 'planted-wizard-comm-9f1c',
    wizardV3Auth: 'planted-wizard-v3-auth-6b2d',
    wizardV3Priv: 'planted-wizard-v3-priv-3c8e',
    userPassword: 'Planted user pw 1e5f9a',
    userPassword2: 'Planted user pw two 7d3b2c',
    probePassword: 'Planted-probe-pw-4a8c1e',
    probeCommunity: 'planted-probe-comm-2e7f',
  };

  /** A request as the administrator, which must succeed: for planting. */
  const api = async (method: string, path: string, body?: unknown, expected = [200, 201]): Promise<unknown> => {
    const response = await send(origin, { method, path: `/api/v1${path}`, headers: [...admin, ...(body === undefined ? [] : [['Content-Type', 'application/json'] as [string, string]])], ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!expected.includes(response.status)) throw new Error(`planting ${method} ${path}: ${response.status} ${response.body.slice(0, 300)}`);
    return response.body ? (JSON.parse(response.body) as unknown) : null;
  };

  const settle = async (): Promise<void> => {
    for (const run of core.services.wizard.list()) await core.services.wizard.discoveryDone(run.id);
  };

  beforeAll(async () => {
    dir = tempDir();
    files = tempDir();
    core = createCore({ dataDir: dir.dir, host: 'server' });
    server = await startServer({ core, host: '127.0.0.1', port: 0, rendererDir: rendererDir() });
    origin = new URL(server.url);
    const adminAuth = await adminHeaders(core);
    admin = [['Authorization', adminAuth.authorization!]];
    const viewer = await userWithToken(core, 'fuzz-viewer', [{ role: 'viewer', regionId: null }], 'viewer');
    bmc = await new LabBmc({ mockupDir: join(process.cwd(), 'assets/lab/redfish-rackmount1'), users: { Administrator: secrets.bmcPassword } }).start();
    environment = await new LabEnvironmentMonitor({ name: 'fuzz-env', port: 0, address: '127.0.0.1', community: 'public', writeCommunity: secrets.community }).start();
    routes = routesOf(await buildOpenApiDocument()).sort((a, b) => rank(a) - rank(b));

    // Planting, through the API: what the fuzz must never leak or lose.
    await api('PUT', '/network/policy', LOOPBACK_POLICY);
    await api('PUT', '/monitor/plan', SHORT_PLAN);
    const region = (await api('POST', '/regions', { name: 'Fuzz region' })) as { id: number };
    const child = (await api('POST', '/regions', { name: 'Fuzz city', parentId: region.id })) as { id: number };
    const siteA = (await api('POST', '/sites', { name: 'Fuzz A', code: 'FZ-A', latitude: 30.5, longitude: 114.3, regionId: child.id })) as { id: string };
    await api('POST', '/sites', { name: 'Fuzz B', code: 'FZ-B', latitude: 31, longitude: 121 });
    const cabinet = (await api('POST', `/sites/${siteA.id}/cabinet`, { templateId: 'edge-24u' })) as { cabinet: { id: string }; devices: { id: string; kind: string; slotId: string | null; protocol: string }[] };
    const byKind = (kind: string) => cabinet.devices.filter((device) => device.kind === kind);
    const server1 = byKind('server')[0]!;
    await api('PUT', `/devices/${server1.id}/connection`, { protocol: 'redfish', url: bmc.url, username: 'Administrator', password: secrets.bmcPassword, fingerprint: bmc.fingerprint });
    const env = byKind('environment')[0]!;
    await api('PUT', `/devices/${env.id}/connection`, { protocol: 'snmp', host: '127.0.0.1', port: environment.port, version: '2c', community: secrets.community });
    const v3Device = byKind('switch')[0] ?? byKind('ups')[0]!;
    await api('PUT', `/devices/${v3Device.id}/connection`, { protocol: 'snmp', host: '127.0.0.1', port: environment.port, version: '3', v3: { user: 'fuzz-v3', authProtocol: 'sha', authKey: secrets.v3AuthKey, privProtocol: 'aes', privKey: secrets.v3PrivKey } });
    await api('POST', `/devices/${server1.id}/refresh`);
    await api('POST', `/devices/${env.id}/refresh`);
    await api('PUT', '/alarms/forwarding', { desktopCritical: false, webhook: { url: 'https://127.0.0.1:1/hook', secret: secrets.webhook, minSeverity: 'critical' }, syslog: null });
    await api('POST', '/maintenance-windows', { siteId: siteA.id, startsAt: new Date(Date.now() + 3_600_000).toISOString(), endsAt: new Date(Date.now() + 7_200_000).toISOString(), reason: 'fuzz' }, [201]);
    // Alarms have no route that raises them: one is raised in the core, so the alarm routes have ids that exist.
    core.services.alarms.raise({ siteId: siteA.id, deviceId: env.id }, 'poll', { key: 'fuzz', category: 'environment', severity: 'major', message: 'fuzz alarm', messageKey: 'fuzz', params: {} }, new Date().toISOString());
    const run = (await api('POST', '/wizard', undefined, [201])) as { id: string };
    await api('PUT', `/wizard/${run.id}/site`, { name: 'Fuzz wizard', code: 'FZ-W', latitude: 1, longitude: 2, templateId: 'edge-12u', managementSubnet: '127.77.0.0/30' });
    await api('POST', `/wizard/${run.id}/discover`, { ranges: '127.0.0.1', redfishPorts: [bmc.port], snmpPorts: [environment.port], extraCredentials: [{ username: 'fuzz', password: secrets.wizardPassword }], extraCommunities: [secrets.wizardCommunity], wait: true });
    const state = (await api('GET', `/wizard/${run.id}`)) as { matches: { slotId: string; endpoint: string | null }[] };
    await api('PUT', `/wizard/${run.id}/matches`, { matches: state.matches.map(({ slotId, endpoint }) => ({ slotId, endpoint })), trusted: { [`127.0.0.1:${bmc.port}`]: bmc.fingerprint } }, [200, 409]);
    await api('POST', `/wizard/${run.id}/secure`, { snmpV3: { user: 'fuzzsite', authProtocol: 'sha', authKey: secrets.wizardV3Auth, privProtocol: 'aes', privKey: secrets.wizardV3Priv } }, [200, 409]);
    const victim = (await api('POST', '/users', { name: 'fuzz-victim', password: secrets.userPassword, grants: [{ role: 'operator', regionId: region.id }] }, [201])) as { id: string };
    await api('PUT', `/users/${victim.id}/password`, { password: secrets.userPassword2 });
    const created = (await api('POST', '/tokens', { name: 'fuzz-planted', scope: 'viewer' }, [201])) as { token: string };
    await api('POST', '/devices/probe/redfish', { url: bmc.url, username: 'Administrator', password: secrets.probePassword, trustOnFirstUse: true }, [502]);
    await api('POST', '/devices/probe/snmp', { host: '127.0.0.1', port: environment.port, version: '2c', community: secrets.probeCommunity, timeoutMs: 200, retries: 0 }, [502]);
    const mbtiles = join(files.dir, 'planted.mbtiles');
    writeMbtiles(mbtiles, 1, 'Planted');
    const form = multipartBody('fuzzboundary', [{ disposition: 'form-data; name="file"; filename="planted.mbtiles"', contentType: 'application/octet-stream', data: readFileSync(mbtiles) }]);
    await send(origin, { method: 'POST', path: '/api/v1/tiles/packages', headers: [...admin, ['Content-Type', 'multipart/form-data; boundary=fuzzboundary']], body: form });
    const signIn = await send(origin, { method: 'POST', path: '/api/v1/auth/session', headers: [['Content-Type', 'application/json']], body: JSON.stringify({ name: 'test-admin', password: TEST_PASSWORD }) });
    const cookie = /edgecab_session=([^;]+)/.exec(String(signIn.headers['set-cookie'] ?? ''))?.[1] ?? '';
    const csrf = (JSON.parse(signIn.body) as { csrfToken: string }).csrfToken;
    if (!cookie) throw new Error(`sign-in failed: ${signIn.status} ${signIn.body}`);
    const templates = ((await api('GET', '/cabinet-templates')) as { id: string; layout: { slotId: string }[] }[]);

    planted = {
      adminUserId: core.services.identity.userByName('test-admin')!.id,
      adminToken: adminAuth.authorization!.slice('Bearer '.length),
      viewerToken: viewer.token,
      victimUserId: victim.id,
      session: { cookie, csrf },
      templates: templates.map((template) => template.id),
      slotIds: [...new Set(templates.flatMap((template) => template.layout.map((slot) => slot.slotId)))],
    };
    checker = new FuzzChecker(core, new DatabaseSnapshots(core.db, dir.dir), origin, settle);
    checker.planted.push(...Object.values(secrets), planted.adminToken, planted.viewerToken, created.token, cookie);
    // The planted secrets are in the database now (sealed); none may be in the audit log already.
    const audit = JSON.stringify(core.db.prepare('SELECT * FROM audit_log').all());
    for (const secret of checker.planted) if (audit.includes(secret)) throw new Error(`planting already leaked ${secret} into the audit log`);
    await checker.resync();
  }, 120_000);

  afterAll(async () => {
    closeAgent();
    await server?.close();
    await core?.close();
    await bmc?.stop();
    await environment?.stop();
    dir?.cleanup();
    files?.cleanup();
  });

  /** Ids of what exists now, by path parameter name, for a route (the admin's own user and token are never offered: locking the fuzz out tests nothing). */
  function poolsFor(route: Route): Pools {
    const ids = (sql: string) => (core.db.prepare(sql).pluck().all() as (string | number)[]).map(String);
    // Connected devices first: they are the ones a refresh or a power action gets furthest with.
    const devices = ids('SELECT id FROM devices ORDER BY credential_id IS NULL, rowid LIMIT 20');
    const sites = ids('SELECT id FROM sites ORDER BY rowid LIMIT 20');
    const byPrefix: [string, string[]][] = [
      ['/sites/', sites],
      ['/map/sites/', sites],
      ['/regions/', ids('SELECT id FROM regions')],
      ['/devices/', devices],
      ['/alarms/', ids('SELECT id FROM alarms')],
      ['/maintenance-windows/', ids('SELECT id FROM maintenance_windows')],
      ['/tiles/packages/', ids('SELECT id FROM tile_packages')],
      ['/users/', ids(`SELECT id FROM users WHERE id <> '${planted.adminUserId}' AND name <> 'fuzz-viewer'`)],
      ['/tokens/', ids(`SELECT id FROM api_tokens WHERE user_id = '${planted.victimUserId}' OR name = 'fuzz-planted'`)],
    ];
    const id = byPrefix.find(([prefix]) => route.path.startsWith(prefix))?.[1] ?? [];
    return {
      id,
      siteId: sites,
      deviceId: devices,
      cabinetId: ids('SELECT id FROM cabinets'),
      runId: ids('SELECT id FROM wizard_runs'),
    };
  }

  /** Body fields whose generators are replaced: loopback hosts, short timeouts, ids that exist. */
  function overridesFor(route: Route, pools: Pools): Overrides {
    const probe = route.operationId.startsWith('devices.probe');
    const oneOf = (values: readonly string[], fallback: fc.Arbitrary<string>) => (values.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: fallback }) : fallback);
    const regionIds = (core.db.prepare('SELECT id FROM regions').pluck().all() as number[]);
    const regionId = fc.oneof(fc.constantFrom<number | null>(null, ...regionIds), fc.integer({ min: 1, max: 2 ** 31 }));
    const alarmIds = core.db.prepare('SELECT id FROM alarms').pluck().all() as number[];
    return {
      url: redfishUrl(bmc.url, probe),
      host: snmpHost(probe),
      port: fc.constantFrom(environment.port, 1),
      timeoutMs: fc.integer({ min: 100, max: 300 }),
      retries: fc.constantFrom(0, 1),
      ranges: discoveryRanges,
      managementSubnet,
      redfishPorts: fc.constantFrom([1], [bmc.port], [1, bmc.port]),
      snmpPorts: fc.constant([environment.port]),
      urlTemplate: tileUrlTemplate,
      allowedNetworks: loopbackNetworks,
      eventDestination: fc.constantFrom('https://127.0.0.1:1', 'https://fuzz.invalid', 'https://[::1]:1'),
      trapDestination: fc.constantFrom('127.0.0.1:1', 'fuzz.invalid:162'),
      timeoutSeconds: fc.constantFrom(1, 2),
      inventoryTimeoutSeconds: fc.constant(5),
      siteId: oneOf(pools.siteId ?? [], fc.uuid()),
      deviceId: fc.oneof(fc.constant(null), oneOf(pools.deviceId ?? [], fc.string({ maxLength: 12 }))),
      regionId,
      parentId: regionId,
      ids: fc.array(fc.oneof(fc.constantFrom(...(alarmIds.length ? alarmIds : [1])), fc.integer({ min: 1, max: 2 ** 31 })), { minLength: 1, maxLength: 4 }),
      templateId: oneOf(planted.templates, fc.string({ maxLength: 12 })),
      slotId: oneOf(planted.slotIds, fc.string({ maxLength: 12 })),
      endpoint: fc.constantFrom(null, `127.0.0.1:${environment.port}`, `127.0.0.1:${bmc.port}`, '127.77.0.1:1', 'x', ':'),
      csv: csvArbitrary.map((csv) => csv.csv),
    };
  }

  /** Multipart bodies for the tile upload: real and mutated MBTiles and PMTiles files, and broken framing. */
  function tileUploads(): fc.Arbitrary<Body> {
    const mbtilesFile = join(files.dir, 'fuzz-source.mbtiles');
    const pmtilesFile = join(files.dir, 'fuzz-source.pmtiles');
    writeMbtiles(mbtilesFile, 1, 'Fuzz source');
    writePmtiles(pmtilesFile, 1, 'png', 'Fuzz source');
    const mbtiles = readFileSync(mbtilesFile);
    const pmtiles = readFileSync(pmtilesFile);
    const file = fc.oneof(
      { weight: 1, arbitrary: fc.constantFrom({ data: mbtiles, note: 'valid MBTiles' }, { data: pmtiles, note: 'valid PMTiles' }) },
      { weight: 3, arbitrary: mutatedFile(mbtiles, SQLITE_FIELDS) },
      { weight: 3, arbitrary: mutatedFile(pmtiles, PMTILES_FIELDS) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((bytes) => ({ data: Buffer.from(bytes), note: 'random bytes' })) },
      { weight: 1, arbitrary: fc.constant({ data: Buffer.alloc(0), note: 'empty file' }) },
    );
    const filename = fc.constantFrom('tiles.mbtiles', 'tiles.pmtiles', '../../../escape.mbtiles', 'a'.repeat(300), '站点.mbtiles', 'x"; name="file', '', 'tiles.MBTILES\u0000.exe');
    return fc
      .record({ file, filename, name: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 100 }), fc.constantFrom(...HOSTILE_STRINGS)), datum: fc.constantFrom(undefined, 'wgs84', 'gcj02', 'mars'), framing: fc.nat({ max: 9 }) })
      .map(({ file, filename, name, datum, framing }): Body => {
        const parts: Part[] = [{ disposition: `form-data; name="file"; filename="${filename}"`, contentType: 'application/octet-stream', data: file.data }];
        if (name !== undefined) parts.push({ disposition: 'form-data; name="name"', data: name });
        if (datum !== undefined) parts.push({ disposition: 'form-data; name="datum"', data: datum });
        const boundary = 'fuzz-boundary-42';
        // Most uploads are framed right; some are not (no closing boundary, no file part, two file parts, a file as a text field).
        const variants: [Buffer, string][] = [
          [multipartBody(boundary, parts), 'upload'],
          [multipartBody(boundary, parts, { close: false }), 'upload without closing boundary'],
          [multipartBody(boundary, parts.slice(1)), 'upload without a file'],
          [multipartBody(boundary, [...parts, parts[0]!]), 'upload with two files'],
          [multipartBody(boundary, [{ disposition: 'form-data; name="file"', data: file.data }, ...parts.slice(1)]), 'file sent as a text field'],
        ];
        const [text, how] = variants[framing % 10 < 6 ? 0 : (framing % 4) + 1]!;
        return { kind: 'text', text, contentType: `multipart/form-data; boundary=${boundary}`, note: `${how}: ${file.note}, filename ${JSON.stringify(filename.slice(0, 30))}` };
      });
  }

  /** After routes that change what the fuzz depends on, the dependency is put back. */
  async function restore(route: Route): Promise<void> {
    if (route.operationId === 'network.setPolicy') await api('PUT', '/network/policy', LOOPBACK_POLICY);
    if (route.operationId === 'monitor.setPlan') await api('PUT', '/monitor/plan', SHORT_PLAN);
    await checker.resync();
  }

  /** Runs one property over a route's cases; a failure is recorded (with its seed and path) and the fuzz goes on. */
  async function fuzzRoute(route: Route, group: string, runs: number, cases: fc.Arbitrary<Case>, credentials: [string, string][], expect?: Expectation): Promise<void> {
    const property = fc.asyncProperty(cases, async (routeCase) => {
      const raw = toRawRequest(route, routeCase, credentials);
      const caseSecrets = secretValues(route.operationId, routeCase.input);
      const expectation = routeCase.expect ?? expect;
      try {
        await checker.exchange(route, group, raw, { describe: describeCase(route, routeCase), caseSecrets, ...(expectation ? { expect: expectation } : {}) });
      } finally {
        if (route.operationId === 'network.setPolicy' || route.operationId === 'monitor.setPlan') await restore(route);
      }
    });
    const details = await fc.check(property, { numRuns: runs, seed: SEED + hash(`${group} ${route.operationId}`), endOnFailure: process.env.EDGECAB_FUZZ_SHRINK !== '1' });
    if (details.failed) {
      const message = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      failures.push(`[${group}] ${route.method} ${route.path} (${route.operationId}; seed ${details.seed}, path ${details.counterexamplePath ?? '-'}):\n    ${message}`);
      if (!(await checker.alive(admin))) failures.push(`the server stopped answering after ${route.operationId}`);
      await checker.resync();
    }
  }

  /** Totals of the groups `filter` takes, printed as one line when labelled. */
  function summary(label: string | null, filter: (group: string) => boolean): { cases: number; routes: number; rejected: number; declared: number; errors: number } {
    const entries = [...checker.stats.entries()].filter(([, stats]) => filter(stats.group));
    const total = entries.reduce((sum, [, stats]) => ({ cases: sum.cases + stats.cases, rejected: sum.rejected + stats.rejected, declared: sum.declared + stats.declaredServerErrors, errors: sum.errors + stats.serverErrors }), { cases: 0, rejected: 0, declared: 0, errors: 0 });
    const routeCount = new Set(entries.map(([key]) => key.split(' ').at(-1))).size;
    if (label !== null) console.log(`fuzz ${label}: ${total.cases} cases over ${routeCount} routes, ${total.rejected} rejected${total.declared ? `, ${total.declared} declared 5xx (device unreachable, no lab)` : ''}, ${total.errors} server errors`);
    return { ...total, routes: routeCount };
  }

  it('answers random and mutated requests without a 5xx, a write on refusal, a leaked secret or a polluted prototype', async () => {
    const started = performance.now();
    const viewerAuth: [string, string][] = [['Authorization', `Bearer ${planted.viewerToken}`]];

    // 1. Without credentials (or with forged ones): every API route answers 401, and nothing is written.
    for (const route of routes) {
      const cases = routeCases(route, overridesFor(route, poolsFor(route)), poolsFor(route));
      const forged = fc.constantFrom<[string, string][]>([], [['Authorization', `Bearer ${planted.adminToken.slice(0, -1)}x`]], [['Authorization', 'Bearer']], [['Cookie', 'edgecab_session=forged']], [['Authorization', `Basic ${Buffer.from(`test-admin:${TEST_PASSWORD}`).toString('base64')}`]], [['Authorization', `Bearer ${'A'.repeat(4000)}`]]);
      await fuzzRoute(route, 'unauthenticated', 3, fc.tuple(cases, forged).map(([routeCase, headers]) => ({ ...routeCase, headers: [...headers, ...routeCase.headers] })), [], (response) =>
        (response.status === 401 && String(response.headers['www-authenticate'] ?? '').startsWith('Bearer')) || refusedByHttp(response) ? null : `expected 401 with WWW-Authenticate without valid credentials, got ${response.status}`,
      );
    }

    // 2. As a viewer: reads of what a viewer may see are answered; anything needing more is refused (400 too: input is validated before the permission check), never done.
    for (const route of routes) {
      const pools = poolsFor(route);
      const needsMore = policyOf(route.operationId).role !== 'viewer';
      await fuzzRoute(route, 'viewer', 3, routeCases(route, overridesFor(route, pools), pools), viewerAuth, (response) =>
        refusedByHttp(response) ? null : needsMore && response.status < 300 ? `a viewer got ${response.status} on ${route.operationId}, which needs ${policyOf(route.operationId).role}` : needsMore && ![400, 401, 403, 404, 413, 415].includes(response.status) ? `a viewer got ${response.status}, expected 401/403/404 (or 400)` : null,
      );
    }

    // 3. Hostile headers with the administrator's credentials nearby: forged or duplicated tokens, sessions without CSRF, foreign origins and hosts.
    const session = `edgecab_session=${planted.session.cookie}`;
    const hostile = fc.constantFrom<{ name: string; headers: [string, string][]; expect: (route: Route, response: RawResponse) => string | null }>(
      { name: 'forged token first, valid second', headers: [['Authorization', 'Bearer forged-token'], ...admin], expect: (_route, response) => (response.status === 401 ? null : `expected 401 (the first Authorization header counts), got ${response.status}`) },
      { name: 'valid token and a bogus cookie', headers: [...admin, ['Cookie', 'edgecab_session=forged; edgecab_session=also']], expect: () => null },
      { name: 'session without CSRF header', headers: [['Cookie', session]], expect: (route, response) => (route.method !== 'GET' && response.status !== 403 ? `a session without CSRF got ${response.status} on ${route.method}` : null) },
      { name: 'session with a wrong CSRF header', headers: [['Cookie', session], ['X-EdgeCab-CSRF', `${planted.session.csrf}x`]], expect: (route, response) => (route.method !== 'GET' && response.status !== 403 ? `a wrong CSRF token got ${response.status} on ${route.method}` : null) },
      { name: 'session with its CSRF header', headers: [['Cookie', session], ['X-EdgeCab-CSRF', planted.session.csrf]], expect: () => null },
      { name: 'session and CSRF from a foreign origin', headers: [['Cookie', session], ['X-EdgeCab-CSRF', planted.session.csrf], ['Origin', 'https://evil.example']], expect: (route, response) => (route.method !== 'GET' && response.status !== 403 ? `a cross-site request got ${response.status} on ${route.method}` : null) },
      { name: 'foreign Host header', headers: [['Host', 'evil.example'], ...admin], expect: (_route, response) => (response.status === 421 ? null : `expected 421 for a foreign Host, got ${response.status}`) },
      { name: 'two Content-Type headers', headers: [...admin, ['Content-Type', 'text/plain']], expect: () => null },
      { name: 'method override header', headers: [...admin, ['X-HTTP-Method-Override', 'DELETE'], ['X-Method-Override', 'PUT']], expect: () => null },
      { name: 'Accept XML, gzip claimed', headers: [...admin, ['Accept', 'application/xml'], ['Content-Encoding', 'gzip']], expect: () => null },
      { name: 'two different Content-Length headers', headers: [...admin, ['Content-Length', '2'], ['Content-Length', '3']], expect: (_route, response) => (response.status === 400 ? null : `expected 400 for conflicting lengths, got ${response.status}`) },
      { name: 'Content-Length with Transfer-Encoding', headers: [...admin, ['Content-Length', '2'], ['Transfer-Encoding', 'chunked']], expect: () => null },
      { name: 'oversized cookie header', headers: [...admin, ['Cookie', `x=${'c'.repeat(20_000)}`]], expect: (_route, response) => (response.status === 431 || response.status === 400 ? null : `expected 431 for oversized headers, got ${response.status}`) },
    );
    for (const route of routes) {
      const pools = poolsFor(route);
      const cases = fc.tuple(routeCases(route, overridesFor(route, pools), pools), hostile).map(([routeCase, scenario]): Case => {
        // Conflicting framing headers replace the body's own; the case's Content-Type comes second where the scenario sets one.
        const framing = scenario.headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name));
        const body: Body = framing ? { kind: 'text', text: '{}', contentType: null, note: '' } : routeCase.body;
        return { ...routeCase, note: `${scenario.name}; ${routeCase.note}`, headers: [...scenario.headers, ...routeCase.headers], chunked: framing ? false : routeCase.chunked, body, expect: (response) => (refusedByHttp(response) && !scenario.name.includes('length') ? null : scenario.expect(route, response)) };
      });
      await fuzzRoute(route, 'hostile headers', 4, cases, []);
    }

    // 4. As the administrator, who reaches the most code: every route, random and mutated.
    for (const route of routes) {
      const pools = poolsFor(route);
      const extra = route.operationId === 'tiles.import' ? tileUploads() : undefined;
      await fuzzRoute(route, route.tag, runsOf(route.operationId), routeCases(route, overridesFor(route, pools), pools, extra), admin);
      await restore(route);
    }

    // 5. Every planted secret, in the whole audit log (the checker looked at each answer and each new audit row already).
    const audit = JSON.stringify(core.db.prepare('SELECT * FROM audit_log').all());
    const leaked = checker.planted.filter((secret) => audit.includes(secret) || audit.includes(JSON.stringify(secret).slice(1, -1)));
    if (leaked.length > 0) failures.push(`planted secrets in the audit log: ${leaked.join(', ')}`);

    const groups = [...new Set([...checker.stats.values()].map((stats) => stats.group))];
    for (const group of groups) summary(group, (each) => each === group);
    const total = summary(null, () => true);
    console.log(`fuzz: ${total.cases} cases over ${new Set(routes.map((route) => route.operationId)).size} routes, ${total.rejected} rejected, ${total.errors} server errors (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    if (process.env.EDGECAB_FUZZ_TIMES === '1') {
      // Where the time goes and what each route answered: to tune the runs and see that valid-looking cases get through.
      const lines = [...checker.stats.entries()].sort((a, b) => b[1].ms - a[1].ms).map(([key, stats]) => {
        const statuses = [...stats.statuses].sort((a, b) => a[0] - b[0]).map(([status, count]) => `${status}×${count}`);
        return `${key}: ${stats.cases} cases, ${Math.round(stats.ms)} ms, ${statuses.join(' ')}`;
      });
      console.log(lines.join('\n'));
    }
    if (failures.length > 0) console.log(`fuzz failures:\n${failures.join('\n')}`);
    expect(failures).toEqual([]);
  }, 600_000);

  it('answers random sign-in, sign-out and setup requests (the routes outside the contract) without a 5xx, a session, a new user or a leaked secret', async () => {
    const count = (sql: string) => core.db.prepare(sql).pluck().get() as number;
    const before = { users: count('SELECT count(*) FROM users'), sessions: count('SELECT count(*) FROM sessions') };
    const text = fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom(...HOSTILE_STRINGS), fc.constantFrom('test-admin', 'fuzz-victim', 'fuzz-viewer', ''));
    // Planted secrets go in as passwords of the wrong accounts (and as names): refused, and never echoed or written.
    const password = fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom(...HOSTILE_STRINGS), fc.constantFrom(secrets.userPassword, secrets.bmcPassword, 'x'.repeat(5_000)));
    const json = fc.oneof(
      { weight: 4, arbitrary: fc.record({ name: text, password }, { requiredKeys: [] }).map((value) => JSON.stringify(value)) },
      { weight: 2, arbitrary: fc.record({ token: fc.oneof(fc.string({ maxLength: 64 }), fc.constantFrom(...HOSTILE_STRINGS)), name: text, password }, { requiredKeys: [] }).map((value) => JSON.stringify(value)) },
      { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
      { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
      { weight: 1, arbitrary: fc.constantFrom('{"name": "test-admin", "password": ', '{"__proto__": {"admin": true}, "name": "a", "password": "b"}', `{"name":"${'n'.repeat(70_000)}","password":"p"}`) },
    );
    const request = fc.record({
      method: fc.constantFrom('POST', 'POST', 'GET', 'DELETE', 'PUT'),
      path: fc.constantFrom('/api/v1/auth/session', '/api/v1/auth/setup', '/api/v1/auth/session?x=1', '/api/v1/auth/../auth/session'),
      body: json,
      contentType: fc.constantFrom('application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', null),
      cookie: fc.constantFrom(null, 'edgecab_session=forged', `edgecab_session=${planted.session.cookie}x`, `edgecab_session=${'A'.repeat(3000)}`),
      chunked: fc.boolean(),
    });
    let cases = 0;
    const statuses = new Map<number, number>();
    const property = fc.asyncProperty(request, async (each) => {
      cases += 1;
      const headers: [string, string][] = [];
      if (each.contentType) headers.push(['Content-Type', each.contentType]);
      if (each.cookie) headers.push(['Cookie', each.cookie]);
      const response = await send(origin, { method: each.method, path: each.path, headers, ...(each.method === 'GET' ? {} : { body: each.body, chunked: each.chunked }) });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const what = `${each.method} ${each.path} ${each.body.slice(0, 120)}`;
      if (response.status >= 500) throw new Error(`${response.status} for ${what}: ${response.body.slice(0, 300)}`);
      if (![200, 400, 401, 403, 404, 405, 409, 413, 415, 429].includes(response.status)) throw new Error(`unexpected ${response.status} for ${what}`);
      const cookie = String(response.headers['set-cookie'] ?? '');
      if (/edgecab_session=[^;\s]+/.test(cookie)) throw new Error(`a session cookie was set for ${what}: ${cookie.slice(0, 80)}`);
      if (response.status === 200 && /"signedIn":true/.test(response.body)) throw new Error(`signed in by ${what}`);
      for (const secret of checker.planted) if (secret.length > 6 && response.body.includes(secret)) throw new Error(`${response.status} for ${what} carries a planted secret`);
    });
    const details = await fc.check(property, { numRuns: Math.max(20, Math.round(240 * SCALE)), seed: SEED + hash('auth routes'), endOnFailure: true });
    console.log(`fuzz auth routes: ${cases} cases, statuses ${[...statuses].sort((a, b) => a[0] - b[0]).map(([status, n]) => `${status}×${n}`).join(' ')}`);
    expect(details.failed ? String(details.errorInstance) : null).toBeNull();
    expect({ users: count('SELECT count(*) FROM users'), sessions: count('SELECT count(*) FROM sessions') }).toEqual(before);
    const audit = JSON.stringify(core.db.prepare('SELECT * FROM audit_log').all());
    expect(checker.planted.filter((secret) => audit.includes(secret))).toEqual([]);
    expect(await checker.alive(admin)).toBe(true);
  }, 300_000);
});

/** Refused by the HTTP layer before any credentials were looked at (a URL or headers over Node's 16 KiB limit, broken framing). */
function refusedByHttp(response: RawResponse): boolean {
  return response.status === 431 || (response.status === 400 && response.body.includes('The HTTP request is malformed'));
}

/** A case, optionally with its own expectation (the hostile-header scenarios each expect something else). */
type Case = RouteCase & { expect?: Expectation };

function hash(text: string): number {
  let value = 0;
  for (const char of text) value = (value * 31 + char.charCodeAt(0)) | 0;
  return Math.abs(value);
}
