/**
 * Firmware benchmark, the paths users run:
 *   firmware.compliance_10k_ms   GET /firmware/compliance (in process, through the contract) over 1,000 sites with an
 *                                edge-42u cabinet each (10,000 devices, 2 firmware components each) against a baseline
 *                                on the cabinet model: the median of 5 (target < 1,000 ms)
 *   firmware.stage_bytes_per_s   a 32 MB image staged by a plan (OnReset) to a lab BMC: bytes ÷ the time from the plan's
 *                                start (after its dry run) to the device staged: signature checked again, SHA-256 checked
 *                                as the image leaves, the streamed push, the task followed to its end
 *   firmware.raw_bytes_per_s     the same file pushed to the same BMC as a bare multipart upload (undici, no EdgeCab)
 *   firmware.stage_efficiency    stage ÷ raw, the median of 3 pairs run alternately (target ≥ 0.8)
 *   firmware.plan_s              a plan of 40 lab BMCs in 10 cabinets (waves of 10), staged and activated (reset, back,
 *                                read, verified), no window: from its start to every device verified
 *   firmware.rss_mb              the process's peak resident memory (the 40 lab BMCs run in this process too)
 * The suite fails when a compliance count is wrong or any plan step did not end verified.
 */
import { createHash } from 'node:crypto';
import { Agent, request } from 'undici';
import { createCore, type Core } from '../../main/core/index.js';
import { newPublisherKeys } from '../../main/core/services/apps/signing.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { tempDir } from '../support/core.js';
import { catalogXml, descriptionJson, testPackage } from '../support/firmware-packages.js';
import { bench, Failures, percentile } from './report.js';

const failures = new Failures('firmware');
let peakRss = 0;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
const MOCKUP = 'assets/lab/redfish-rackmount1';
const IMAGE_BYTES = 32 * 1024 * 1024;

async function compliance10k(): Promise<void> {
  const data = tempDir();
  const core = createCore({ dataDir: data.dir, host: 'server' });
  try {
    const db = core.db;
    const at = new Date().toISOString();
    db.transaction(() => {
      db.prepare("INSERT INTO regions (id, parent_id, name, created_at, updated_at) VALUES (1, NULL, 'Bench province', ?, ?)").run(at, at);
      const site = db.prepare("INSERT INTO sites (id, name, code, latitude, longitude, region_id, created_at, updated_at) VALUES (?, ?, ?, 30, 120, 1, ?, ?)");
      const cabinet = db.prepare("INSERT INTO cabinets (id, site_id, template_id, name, height_u, created_at) VALUES (?, ?, 'edge-42u', 'Cabinet', 42, ?)");
      const device = db.prepare("INSERT INTO devices (id, cabinet_id, kind, name, model, u, height_u, face, depth, protocol, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, 'front', 'full', ?, ?, ?)");
      const model = db.prepare('INSERT INTO firmware_device_models (device_id, vendor, model, read_at) VALUES (?, ?, ?, ?)');
      const version = db.prepare("INSERT INTO firmware_versions (device_id, component_id, name, version, source, first_seen, last_seen, current) VALUES (?, ?, ?, ?, 'redfish', ?, ?, 1)");
      for (let s = 0; s < 1000; s += 1) {
        site.run(`s${s}`, `Bench branch ${s + 1}`, `FB-${s}`, at, at);
        cabinet.run(`c${s}`, `s${s}`, at);
        for (let d = 0; d < 10; d += 1) {
          const id = `d${s}-${d}`;
          const server = d < 4;
          device.run(id, `c${s}`, server ? 'server' : 'switch', `Device ${d}`, server ? '1U server' : '24 x 1GbE', 40 - d, server ? 'redfish' : 'snmp', at, at);
          model.run(id, 'Contoso', server ? '3500' : 'S5735', at);
          // A quarter of the servers are behind on the BMC; every device names two components.
          version.run(id, server ? 'redfish:BMC' : 'entity:1:firmware', server ? 'BMC' : 'Chassis', server ? (d === 0 ? '1.45.0' : '1.46.0') : 'V200R021', at, at);
          version.run(id, server ? 'redfish:BIOS' : 'entity:1:software', server ? 'BIOS' : 'Chassis (software)', server ? 'P79 v1.50' : 'V200R021C10', at, at);
        }
      }
    })();
    const packages = [testPackage({ version: '1.46.0', models: ['3500'] }), testPackage({ component: 'BIOS', version: 'P79 v1.50', models: ['3500'] }), testPackage({ vendor: 'Huawei', component: 'Chassis', version: 'V200R021', models: ['S5735'] })];
    const imported = await core.services.firmwarePackages.importCatalog(new File([catalogXml('2.0', packages.map((item) => item.description))], 'catalog.xml'), 'bench');
    const client = core.client('bench');
    await client.firmware.createBaseline({ name: 'Bench baseline', packageIds: imported.registered.map((item) => item.id), targets: [{ scope: 'template', id: 'edge-42u' }] });
    const times: number[] = [];
    for (let run = 0; run < 5; run += 1) {
      const started = performance.now();
      const overview = await client.firmware.compliance();
      times.push(performance.now() - started);
      if (overview.fleet.devices !== 10_000 || overview.fleet.behind !== 1000 || overview.fleet.compliant !== 9000 || overview.sites.length !== 1000) failures.add('compliance counts', overview.fleet);
    }
    bench('firmware.compliance_10k_ms', percentile(times.sort((a, b) => a - b), 50), 'ms');
  } finally {
    await core.close();
    data.cleanup();
  }
}

/** The peer: the same file as a bare multipart upload to the BMC's MultipartHttpPushUri, Basic auth, nothing else. */
async function rawUpload(bmc: LabBmc, image: Buffer): Promise<number> {
  const boundary = 'raw-bench-boundary';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="UpdateParameters"\r\nContent-Type: application/json\r\n\r\n{"Targets":[],"@Redfish.OperationApplyTime":"OnReset"}\r\n--${boundary}\r\nContent-Disposition: form-data; name="UpdateFile"; filename="bmc.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    image,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  const started = performance.now();
  const answer = await request(`${bmc.url}/redfish/v1/UpdateService/upload`, { method: 'POST', dispatcher: agent, body, headers: { authorization: `Basic ${Buffer.from('admin:Bmc-Lab-7').toString('base64')}`, 'content-type': `multipart/form-data; boundary=${boundary}` } });
  await answer.body.text();
  const seconds = (performance.now() - started) / 1000;
  await agent.close();
  if (answer.statusCode !== 202) failures.add('raw upload', `HTTP ${answer.statusCode}`);
  return image.length / seconds;
}

async function waitPlan(core: Core, id: number, done: (phases: string[]) => boolean, timeoutMs: number): Promise<string[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const phases = core.services.firmwarePlans.get(id).list.map((row) => row.phase);
    if (done(phases)) return phases;
    if (Date.now() > until) throw new Error(`plan ${id} did not get there in ${timeoutMs} ms: ${phases.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stagingAndPlan(): Promise<void> {
  const data = tempDir();
  const core = createCore({ dataDir: data.dir, host: 'server' });
  const bmcs: LabBmc[] = [];
  try {
    const client = core.client('bench');
    const servers: string[] = [];
    const siteIds: string[] = [];
    for (let s = 0; s < 10; s += 1) {
      const site = await client.sites.create({ name: `Plan branch ${s + 1}`, code: `FP-${s}`, latitude: 30, longitude: 120 + s / 10 });
      siteIds.push(site.id);
      const cabinet = await client.cabinets.create({ siteId: site.id, templateId: 'edge-42u' });
      for (const device of cabinet.devices.filter((item) => item.kind === 'server')) {
        const bmc = await new LabBmc({ mockupDir: MOCKUP, host: '127.0.0.1', users: { admin: 'Bmc-Lab-7' }, taskDurationMs: 0, firmware: { applyTimes: ['Immediate', 'OnReset'] } }).start();
        bmcs.push(bmc);
        servers.push(device.id);
        await client.devices.connect({ id: device.id, protocol: 'redfish', url: bmc.url, username: 'admin', password: 'Bmc-Lab-7', fingerprint: bmc.fingerprint });
        await client.devices.refresh({ id: device.id });
      }
    }
    if (bmcs.length !== 40) failures.add('lab', `${bmcs.length} BMCs, not 40`);
    const image = Buffer.concat([Buffer.from('VERSION=1.46.0\n'), Buffer.alloc(IMAGE_BYTES - 15, 0x5a)]);
    const publisher = newPublisherKeys();
    core.services.apps.trust({ name: 'Bench firmware', publicKey: publisher.publicKey }, 'bench');
    const pkg = testPackage({ version: '1.46.0', models: ['3500'], image, privateKeyPem: publisher.privateKey });
    if (pkg.description.image.sha256 !== createHash('sha256').update(image).digest('hex')) failures.add('package', 'hash');
    const packageId = (await core.services.firmwarePackages.upload({ description: new File([descriptionJson(pkg.description)], 'd.json'), image: new File([new Uint8Array(image)], 'bmc.bin') }, 'bench')).package.id;

    // Staging efficiency: the plan's staging of one BMC against a bare upload of the same file to the same BMC, alternately.
    const far = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(Date.now() + 6 * 3_600_000));
    const ratios: number[] = [];
    const staged: number[] = [];
    const raws: number[] = [];
    for (let pair = 0; pair < 3; pair += 1) {
      const target = servers[pair]!;
      const raw = await rawUpload(bmcs[pair]!, image);
      const plan = await client.firmware.createPlan({ name: `stage ${pair}`, packageIds: [packageId], targets: { deviceIds: [target] }, waveSize: 1, failureThreshold: 1, window: { start: far, minutes: 60, timeZone: 'Asia/Shanghai' } });
      // From the plan's start (its dry run, which asks the BMC what it declares, is the step before: shown to the user first).
      const started = Date.parse(plan.createdAt);
      const phases = await waitPlan(core, plan.id, (list) => list.every((phase) => phase === 'staged' || phase === 'failed'), 120_000);
      // When the step was written staged (the plan's own clock, to the millisecond): the bench's polling does not add to it.
      const stagedAt = Date.parse(core.services.firmwarePlans.get(plan.id).list[0]!.updatedAt);
      const stage = IMAGE_BYTES / ((stagedAt - started) / 1000);
      if (phases.includes('failed')) failures.add('staging', phases);
      await client.firmware.cancelPlan({ id: plan.id });
      staged.push(stage);
      raws.push(raw);
      ratios.push(stage / raw);
    }
    bench('firmware.stage_bytes_per_s', percentile(staged.sort((a, b) => a - b), 50), 'B/s');
    bench('firmware.raw_bytes_per_s', percentile(raws.sort((a, b) => a - b), 50), 'B/s');
    bench('firmware.stage_efficiency', percentile(ratios.sort((a, b) => a - b), 50), 'ratio');

    // The whole plan: 40 BMCs in 10 cabinets, waves of 10, no window.
    const started = performance.now();
    const plan = await client.firmware.createPlan({ name: 'bench plan', packageIds: [packageId], targets: { siteIds }, waveSize: 10, failureThreshold: 1, window: null });
    if (plan.devices !== 40) failures.add('plan', `${plan.devices} devices, not 40`);
    const phases = await waitPlan(core, plan.id, (list) => list.every((phase) => phase === 'verified' || phase === 'failed'), 600_000);
    bench('firmware.plan_s', (performance.now() - started) / 1000, 's');
    const notVerified = phases.filter((phase) => phase !== 'verified').length;
    if (notVerified > 0) failures.add('plan steps', `${notVerified} of ${phases.length} not verified`);
    for (const bmc of bmcs) if (bmc.resource('/redfish/v1/UpdateService/FirmwareInventory/BMC')!.Version !== '1.46.0') failures.add('lab version', bmc.url);
  } finally {
    await core.services.firmwarePlans.runner.dispose();
    await core.close();
    for (const bmc of bmcs) await bmc.stop();
    data.cleanup();
  }
}

try {
  await compliance10k();
  await stagingAndPlan();
} catch (error) {
  failures.add('suite', error);
} finally {
  clearInterval(rssTimer);
  bench('firmware.rss_mb', Math.max(peakRss, process.memoryUsage().rss) / 1024 / 1024, 'MB');
  failures.report();
}
