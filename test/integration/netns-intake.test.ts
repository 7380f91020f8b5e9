/**
 * Events from devices on real addresses: a lab cabinet runs in a Linux
 * network namespace joined by a veth pair (no loopback anywhere), EdgeCab
 * runs here. The whole wizard runs over that link; then the UPS's SNMPv3
 * inform (to the destination the wizard set on the device) and a BMC's
 * pushed Redfish event (to the subscription the wizard made, on the address
 * this computer uses toward the BMC) arrive, are matched to their devices by
 * source address, and raise alarms.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { createCore, type Core } from '../../main/core/index.js';
import { localAddressToward } from '../../main/core/lib/local-address.js';
import { tempDir } from '../support/core.js';
import { createNamespace, namespacesUnavailable, type Namespace } from '../support/netns.js';
import { freeUdpPort } from '../support/snmp-peers.js';

const unavailable = namespacesUnavailable();
if (unavailable) console.warn(`netns-intake: ${unavailable}`);

async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(unavailable !== null)('traps and pushed Redfish events from devices on their own addresses (network namespace)', () => {
  let ns: Namespace;
  let lab: ChildProcessWithoutNullStreams;
  const labLines: Record<string, unknown>[] = [];
  let core: Core;
  let dir: ReturnType<typeof tempDir>;

  const labSays = (event: string, from = 0) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${event}" from the lab: ${JSON.stringify(labLines)}`)), 60_000);
      const check = () => {
        const found = labLines.slice(from).find((line) => line.event === event);
        if (!found) return setTimeout(check, 50);
        clearTimeout(timer);
        resolve(found);
      };
      check();
    });

  beforeAll(async () => {
    ns = createNamespace(7);
    lab = spawn('ip', ['netns', 'exec', ns.name, process.execPath, packageJson.bin.edgecab, 'lab', '--sites', '1', '--fleet-only', '--template', 'edge-12u', '--addresses', `${ns.addresses[0]}-${ns.addresses.at(-1)}`, '--json', '--seed', '5']);
    createInterface({ input: lab.stdout }).on('line', (line) => labLines.push(JSON.parse(line) as Record<string, unknown>));
    lab.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    await labSays('ready');
    dir = tempDir();
    core = createCore({ dataDir: dir.dir, host: 'server' });
    const { warnings } = await core.startMonitoring({ trapPort: await freeUdpPort(), trapAddress: '0.0.0.0', eventsPort: await freeTcpPort(), eventsAddress: '0.0.0.0', redfishEvents: false });
    expect(warnings).toEqual([]);
  }, 90_000);

  afterAll(async () => {
    await core?.close();
    lab?.kill('SIGKILL');
    ns?.remove();
    dir?.cleanup();
  });

  it('secures the cabinet over the veth, then its UPS inform and BMC event arrive from their own addresses and raise alarms', async () => {
    expect(await localAddressToward(ns.addresses[2]!)).toBe(ns.hostAddress);
    const client = core.client('test');
    let state = await client.wizard.start();
    const runId = state.id;
    state = await client.wizard.site({ runId, name: 'Namespace branch', code: 'NS-1', latitude: 30, longitude: 120, templateId: 'edge-12u', managementSubnet: ns.subnet });
    expect(state.preflight.find((check) => check.id === 'interface')?.ok).toBe(true);
    state = await client.wizard.discover({ runId, ranges: `${ns.addresses[0]}-${ns.addresses.at(-1)}`, redfishPorts: [8443], snmpPorts: [1161], wait: true });
    expect(state.discovery.devices.map((device) => `${device.protocol}:${device.kind}`).sort()).toEqual(['redfish:server', 'redfish:server', 'snmp:environment', 'snmp:pdu', 'snmp:switch', 'snmp:ups']);
    const trusted = Object.fromEntries(state.discovery.devices.filter((device) => device.fingerprint).map((device) => [`${device.address}:${device.port}`, device.fingerprint!]));
    state = await client.wizard.confirm({ runId, matches: state.matches.map((match) => ({ slotId: match.slotId, endpoint: match.endpoint })), trusted });
    state = await client.wizard.secure({ runId });
    expect(state.items.filter((item) => item.step === 3 && item.state === 'failed')).toEqual([]);
    state = await client.wizard.configure({ runId, ntpServers: ['ntp.branch.example'], dnsServers: ['10.0.0.53'] });
    expect(state.items.filter((item) => item.step === 4 && item.state === 'failed')).toEqual([]);
    const subscriptions = core.db.prepare('SELECT destination FROM event_subscriptions').pluck().all() as string[];
    expect(subscriptions).toHaveLength(2);
    for (const destination of subscriptions) expect(destination.startsWith(`https://${ns.hostAddress}:${core.services.monitor.eventsPort}/redfish/events/`)).toBe(true);
    // Nothing but traps and pushed events may raise these alarms now: polling stops, the receivers stay.
    core.services.monitor.scheduler.stop();

    const siteId = state.siteId!;
    const cabinet = core.services.cabinets.viewForSite(siteId)!;
    const slotOf = (deviceId: string | null) => cabinet.devices.find((device) => device.id === deviceId)?.slotId;
    const waitForAlarm = async (origin: string) => {
      for (let attempt = 0; attempt < 100; attempt += 1) {
        core.services.monitor.flush();
        const alarm = core.services.alarms.list({ siteId, rootsOnly: false }).alarms.find((each) => each.origin === origin);
        if (alarm) return alarm;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`no ${origin} alarm; lab said ${JSON.stringify(labLines.filter((line) => line.event !== 'site'))}; step 3 ${JSON.stringify(state.items.filter((item) => item.step === 3).map((item) => item.detail))}; traps ${JSON.stringify(core.services.monitor.status().traps)}, events ${JSON.stringify(core.services.monitor.status().events)}`);
    };

    lab.stdin.write('LAB-001 ups-on-battery on\n');
    const trapAlarm = await waitForAlarm('trap');
    expect(slotOf(trapAlarm.deviceId)).toBe('ups');
    expect(trapAlarm).toMatchObject({ condition: 'power-source:battery', severity: 'major' });
    expect(core.services.monitor.status().traps).toMatchObject({ address: '0.0.0.0', refused: 0 });
    expect(core.services.monitor.status().traps!.delivered).toBeGreaterThan(0);

    lab.stdin.write('LAB-001 fan-failed on\n');
    const eventAlarm = await waitForAlarm('redfish-event');
    expect(slotOf(eventAlarm.deviceId)).toBe('srv1');
    expect(eventAlarm).toMatchObject({ severity: 'critical', message: 'Fan Bay1 stopped: 0 RPM' });
    const pushed = core.db.prepare('SELECT last_source, events FROM event_subscriptions WHERE device_id = ?').get(eventAlarm.deviceId) as { last_source: string; events: number };
    const srv1 = cabinet.devices.find((device) => device.slotId === 'srv1')!;
    expect(pushed.events).toBeGreaterThan(0);
    // It came from the BMC's own address on the veth, not from loopback.
    expect(pushed.last_source.replace(/^::ffff:/, '')).toBe(new URL(srv1.endpoint!).hostname);
    expect(core.services.monitor.status().events.push).toMatchObject({ refused: 0, malformed: 0 });
  }, 180_000);
});
