import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { networkInterfaces } from 'node:os';
import type { z } from 'zod';
import type { DeviceReading } from '../../../../shared/domain/readings.js';
import {
  expandRanges,
  inSubnet,
  proposeSlotMatches,
  STEP_ESTIMATE_SECONDS,
  WIZARD_BUDGET_SECONDS,
  WIZARD_STEPS,
  type DiscoveredDevice,
  type PreflightCheck,
  type SlotMatch,
  type WizardConfigureInput,
  type WizardDiscoverInput,
  type WizardItem,
  type WizardMatchInput,
  type WizardReport,
  type WizardSecureInput,
  type WizardSiteInput,
  type WizardState,
  type WizardStep,
} from '../../../../shared/domain/wizard.js';
import type { SnmpTarget } from '../../../../shared/domain/snmp.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../errors.js';
import { createSubscription, firstMember, setDns, setHostName, setNtp } from '../../protocols/redfish/actions.js';
import { splitEndpoint } from '../devices/endpoint.js';
import { RedfishClient } from '../../protocols/redfish/client.js';
import { readInventory } from '../../protocols/redfish/inventory.js';
import { collectDevice } from '../../protocols/snmp/collect.js';
import type { AlarmService } from '../alarms/alarm-service.js';
import type { CabinetService } from '../cabinets/cabinet-service.js';
import type { CredentialVault } from '../credentials/vault.js';
import type { DeviceService } from '../devices/device-service.js';
import type { EventBus } from '../events/bus.js';
import type { MonitorService } from '../monitor/monitor-service.js';
import type { SiteService } from '../sites/site-service.js';
import { boundedEach, probeRedfish, probeSnmp, type FactoryCredentials } from './discovery.js';
import { reportHtml, reportPdf, type ReportData } from './report.js';
import { PasswordRotation, type RotationHooks } from './rotation.js';
import { say, type WizardMessage } from './messages.js';

interface StoredDiscovered extends DiscoveredDevice {
  credentialId: string | null;
}

interface RunData {
  site?: NonNullable<WizardState['site']>;
  preflight?: PreflightCheck[];
  discovery?: { running: boolean; total: number; done: number; devices: StoredDiscovered[] };
  matches?: SlotMatch[];
  findings?: Record<string, WizardMessage>;
  changes?: Record<string, string>;
  reportReady?: boolean;
}

interface RunRow {
  id: string;
  site_id: string | null;
  step: number;
  reachable: number;
  status: 'active' | 'done';
  data: string;
  step_times: string;
  started_at: string;
  finished_at: string | null;
}

type StepTimes = Record<string, { startedAt: string; finishedAt: string | null }>;

interface RedfishSecret {
  username: string;
  password: string;
}

export interface WizardDeps {
  sites: SiteService;
  cabinets: CabinetService;
  devices: DeviceService;
  vault: CredentialVault;
  monitor: MonitorService;
  alarms: AlarmService;
  bus: EventBus;
}

const DISCOVERY_CONCURRENCY = 32;
const DEVICE_CONCURRENCY = 8;
const PROBE_TIMEOUT_MS = 1500;
const TIME_SKEW_OK_SECONDS = 60;

/**
 * The first-boot wizard: five steps from an empty site to a secured,
 * configured, monitored cabinet with an acceptance report. Every step's work
 * is kept as items (one per address or device and action) so a step can be
 * re-run, resumed after the app was closed, or retried for the failures only,
 * without doing anything twice.
 */
export class WizardService {
  private readonly rotation: PasswordRotation;
  private readonly discoveries = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Database,
    private readonly deps: WizardDeps,
    private readonly factory: () => FactoryCredentials,
    private readonly now: () => Date,
    hooks: RotationHooks = {},
  ) {
    this.rotation = new PasswordRotation(db, deps.vault, now, hooks);
  }

  // ── storage ─────────────────────────────────────────────────────────────

  private row(runId: string): RunRow {
    const row = this.db.prepare('SELECT * FROM wizard_runs WHERE id = ?').get(runId) as RunRow | undefined;
    if (!row) throw new NotFoundError('wizard run', runId);
    return row;
  }

  private data(runId: string): RunData {
    return JSON.parse(this.row(runId).data) as RunData;
  }

  private update(runId: string, change: (data: RunData) => void): RunData {
    return this.db.transaction(() => {
      const data = this.data(runId);
      change(data);
      this.db.prepare('UPDATE wizard_runs SET data = ? WHERE id = ?').run(JSON.stringify(data), runId);
      return data;
    })();
  }

  private item(runId: string, step: number, key: string, label: string, state: WizardItem['state'], detail: WizardMessage | null = null): void {
    this.db
      .prepare(
        `INSERT INTO wizard_items (run_id, key, step, label, state, detail, detail_key, detail_params, attempts, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, key) DO UPDATE SET label = excluded.label, state = excluded.state, detail = excluded.detail, detail_key = excluded.detail_key,
           detail_params = excluded.detail_params, updated_at = excluded.updated_at,
           attempts = wizard_items.attempts + (CASE WHEN excluded.state = 'running' THEN 1 ELSE 0 END)`,
      )
      .run(runId, key, step, label, state, detail?.text ?? null, detail?.key ?? null, detail ? JSON.stringify(detail.params) : null, state === 'running' ? 1 : 0, this.now().toISOString());
    this.publish(runId, step);
  }

  private itemState(runId: string, key: string): WizardItem['state'] | null {
    return (this.db.prepare('SELECT state FROM wizard_items WHERE run_id = ? AND key = ?').pluck().get(runId, key) as WizardItem['state'] | undefined) ?? null;
  }

  private lastPublished = 0;
  private publish(runId: string, step: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastPublished < 200) return;
    this.lastPublished = now;
    this.deps.bus.publish({ type: 'wizard.changed', runId, step, at: this.now().toISOString() });
  }

  private finding(runId: string, key: string, text: WizardMessage | null): void {
    this.update(runId, (data) => {
      data.findings ??= {};
      if (text) data.findings[key] = text;
      else delete data.findings[key];
    });
  }

  private change(runId: string, key: string, text: string): void {
    this.update(runId, (data) => {
      data.changes ??= {};
      data.changes[key] = text;
    });
  }

  /** Marks a step started (first time only) and, when done, finished; the user may then go one step further. */
  private stepTime(runId: string, step: WizardStep, finished: boolean): void {
    const row = this.row(runId);
    const times = JSON.parse(row.step_times) as StepTimes;
    const at = this.now().toISOString();
    const entry = times[step] ?? { startedAt: at, finishedAt: null };
    if (finished) entry.finishedAt = at;
    times[step] = entry;
    const reachable = finished ? Math.max(row.reachable, Math.min(5, step + 1)) : row.reachable;
    const current = finished && row.step === step && step < 5 ? step + 1 : row.step;
    this.db.prepare('UPDATE wizard_runs SET step_times = ?, reachable = ?, step = ? WHERE id = ?').run(JSON.stringify(times), reachable, current, runId);
  }

  private requireStep(runId: string, step: WizardStep): RunRow {
    const row = this.row(runId);
    if (row.status === 'done' && step < 5) throw new ConflictError('This wizard run is finished; start a new one for another cabinet', 'runId');
    if (step > row.reachable) throw new ConflictError(`Finish step ${row.reachable} first`, 'step');
    return row;
  }

  // ── public API ──────────────────────────────────────────────────────────

  start(): WizardState {
    const id = randomUUID();
    this.db.prepare("INSERT INTO wizard_runs (id, status, started_at) VALUES (?, 'active', ?)").run(id, this.now().toISOString());
    return this.get(id);
  }

  /** Runs not finished, newest first: what "resume" offers. */
  list(): { id: string; siteName: string | null; step: number; status: 'active' | 'done'; startedAt: string }[] {
    return (
      this.db.prepare('SELECT r.id, s.name AS site_name, r.step, r.status, r.started_at FROM wizard_runs r LEFT JOIN sites s ON s.id = r.site_id ORDER BY r.started_at DESC LIMIT 50').all() as {
        id: string;
        site_name: string | null;
        step: number;
        status: 'active' | 'done';
        started_at: string;
      }[]
    ).map((row) => ({ id: row.id, siteName: row.site_name, step: row.step, status: row.status, startedAt: row.started_at }));
  }

  get(runId: string): WizardState {
    const row = this.row(runId);
    const data = JSON.parse(row.data) as RunData;
    const times = JSON.parse(row.step_times) as StepTimes;
    const nowMs = (row.finished_at ? Date.parse(row.finished_at) : this.now().getTime());
    const steps = WIZARD_STEPS.map((step) => {
      const time = times[step];
      const seconds = time ? ((time.finishedAt ? Date.parse(time.finishedAt) : nowMs) - Date.parse(time.startedAt)) / 1000 : 0;
      return { step, estimateSeconds: STEP_ESTIMATE_SECONDS[step], startedAt: time?.startedAt ?? null, finishedAt: time?.finishedAt ?? null, seconds: Math.max(0, seconds) };
    });
    const elapsedSeconds = Math.max(0, (nowMs - Date.parse(row.started_at)) / 1000);
    const remaining = steps.filter((step) => !step.finishedAt).reduce((sum, step) => sum + Math.max(0, step.estimateSeconds - step.seconds), 0);
    const items = (
      this.db.prepare('SELECT key, step, label, state, detail, detail_key, detail_params, attempts, updated_at FROM wizard_items WHERE run_id = ? ORDER BY step, key').all(runId) as {
        key: string;
        step: number;
        label: string;
        state: WizardItem['state'];
        detail: string | null;
        detail_key: string | null;
        detail_params: string | null;
        attempts: number;
        updated_at: string;
      }[]
    ).map((item) => ({
      key: item.key,
      step: item.step,
      label: item.label,
      state: item.state,
      detail: item.detail,
      detailKey: item.detail_key,
      params: item.detail_params ? (JSON.parse(item.detail_params) as Record<string, string | number>) : {},
      attempts: item.attempts,
      updatedAt: item.updated_at,
    }));
    return {
      id: row.id,
      siteId: row.site_id,
      step: row.step,
      reachable: row.reachable,
      status: row.status,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      elapsedSeconds,
      budgetSeconds: WIZARD_BUDGET_SECONDS,
      projectedSeconds: elapsedSeconds + remaining,
      steps,
      site: data.site ?? null,
      preflight: data.preflight ?? [],
      discovery: {
        running: this.discoveries.has(runId),
        total: data.discovery?.total ?? 0,
        done: data.discovery?.done ?? 0,
        devices: (data.discovery?.devices ?? []).map(({ credentialId: _secret, ...device }) => device),
      },
      matches: data.matches ?? [],
      items,
      findings: Object.values(data.findings ?? {}),
      reportReady: data.reportReady ?? false,
    };
  }

  goto(runId: string, step: number): WizardState {
    const row = this.row(runId);
    if (step > row.reachable) throw new ConflictError(`Finish step ${row.reachable} first`, 'step');
    this.db.prepare('UPDATE wizard_runs SET step = ? WHERE id = ?').run(step, runId);
    return this.get(runId);
  }

  // ── step 1: site and cabinet ────────────────────────────────────────────

  async saveSite(input: z.output<typeof WizardSiteInput>): Promise<WizardState> {
    const row = this.requireStep(input.runId, 1);
    this.stepTime(input.runId, 1, false);
    const { runId, templateId, managementSubnet, language, ...fields } = input;
    if (!this.deps.cabinets.templates.has(templateId)) throw new InvalidInputError([{ field: 'templateId', code: 'not_found', message: `No cabinet model "${templateId}"` }]);
    if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(managementSubnet) || expandRanges(managementSubnet, 65_536).error) {
      throw new InvalidInputError([{ field: 'managementSubnet', code: 'invalid', message: 'A subnet like 10.20.0.0/24 (from /16 to /32)' }]);
    }
    const site = row.site_id ? this.deps.sites.update({ id: row.site_id, ...fields }) : this.deps.sites.create(fields);
    const cabinet = this.deps.cabinets.viewForSite(site.id);
    if (cabinet && cabinet.cabinet.templateId !== templateId) {
      if (cabinet.devices.some((device) => device.hasCredential)) throw new ConflictError('Devices of this cabinet are connected already; the cabinet model cannot change now', 'templateId');
    }
    if (!cabinet) this.deps.cabinets.createForSite(site.id, templateId, null, language);
    this.db.prepare('UPDATE wizard_runs SET site_id = ? WHERE id = ?').run(site.id, runId);
    const preflight = await this.preflight(managementSubnet);
    this.update(runId, (data) => {
      data.site = { ...fields, templateId, managementSubnet };
      data.preflight = preflight;
    });
    this.stepTime(runId, 1, true);
    this.publish(runId, 1, true);
    return this.get(runId);
  }

  /** The laptop's own readiness: an interface on the management subnet, something answering there, and its clock. */
  async preflight(subnet: string): Promise<PreflightCheck[]> {
    const base = subnet.split('/')[0]!;
    const interfaces = Object.entries(networkInterfaces()).flatMap(([name, addresses]) => (addresses ?? []).filter((address) => address.family === 'IPv4').map((address) => ({ name, ...address })));
    const onSubnet = interfaces.find((each) => inSubnet(each.address, subnet) || inSubnet(base, each.cidr ?? `${each.address}/32`));
    const checks: PreflightCheck[] = [
      onSubnet
        ? { id: 'interface', ok: true, detail: `${onSubnet.name} ${onSubnet.cidr ?? onSubnet.address} reaches ${subnet}` }
        : { id: 'interface', ok: false, detail: `No network interface of this computer is on ${subnet}; plug the laptop into the cabinet's management switch or set its address` },
    ];
    const { addresses } = expandRanges(subnet, 65_536);
    const candidates = addresses.slice(0, 64);
    let dateHeader: { address: string; date: string } | null = null;
    await boundedEach(candidates, 32, async (address) => {
      if (dateHeader) return;
      for (const port of [443, 8443]) {
        const date = await httpsDate(address, port, 800);
        if (date && !dateHeader) dateHeader = { address: `${address}:${port}`, date };
      }
    });
    const found = dateHeader as { address: string; date: string } | null;
    checks.push(
      found
        ? { id: 'subnet', ok: true, detail: `${found.address} answers on ${subnet}` }
        : { id: 'subnet', ok: null, detail: `Nothing answered yet among the first ${candidates.length} addresses of ${subnet}; devices may still be starting` },
    );
    if (found) {
      const skew = Math.round((this.now().getTime() - Date.parse(found.date)) / 1000);
      checks.push({
        id: 'time',
        ok: Math.abs(skew) <= TIME_SKEW_OK_SECONDS,
        detail: Math.abs(skew) <= TIME_SKEW_OK_SECONDS ? `This computer's clock is within ${Math.max(1, Math.abs(skew))} s of ${found.address}` : `This computer's clock is ${skew} s off ${found.address}; set the time before you go on`,
      });
    } else {
      checks.push({ id: 'time', ok: null, detail: 'Checked against the first device that answers' });
    }
    return checks;
  }

  // ── step 2: connect and discover ────────────────────────────────────────

  /** Starts discovery (in the background unless `wait`); per-address outcomes appear as items. */
  async discover(input: z.output<typeof WizardDiscoverInput>, wait = false): Promise<WizardState> {
    const row = this.requireStep(input.runId, 2);
    if (!row.site_id) throw new ConflictError('Save the site first', 'runId');
    if (this.discoveries.has(input.runId)) throw new ConflictError('Discovery is already running', 'runId');
    const { addresses, error } = expandRanges(input.ranges);
    if (error) throw new InvalidInputError([{ field: 'ranges', code: 'invalid', message: error }]);
    this.stepTime(input.runId, 2, false);
    this.update(input.runId, (data) => {
      data.discovery = { running: true, total: addresses.length, done: 0, devices: (data.discovery?.devices ?? []).filter((device) => !addresses.includes(device.address)) };
    });
    const factory = this.factory();
    const credentials = [...factory.redfish, ...input.extraCredentials];
    const communities = [...new Set([...factory.snmp, ...input.extraCommunities])];
    const work = boundedEach(addresses, DISCOVERY_CONCURRENCY, async (address) => {
      const key = `discover:${address}`;
      const found: StoredDiscovered[] = [];
      for (const port of input.redfishPorts) {
        const result = await probeRedfish(address, port, credentials, PROBE_TIMEOUT_MS).catch(() => null);
        if (result) found.push({ ...result.device, credentialId: result.secret ? this.deps.vault.store('redfish', result.secret, { origin: 'discovered' }) : null });
      }
      if (found.length === 0) {
        for (const port of input.snmpPorts) {
          const result = await probeSnmp(address, port, communities, PROBE_TIMEOUT_MS).catch(() => null);
          if (result) found.push({ ...result.device, credentialId: result.secret ? this.deps.vault.store('snmp', { version: '2c', ...result.secret }, { origin: 'discovered' }) : null });
        }
      }
      this.update(input.runId, (data) => {
        data.discovery!.done += 1;
        data.discovery!.devices.push(...found);
      });
      const device = found[0];
      if (!device) this.item(input.runId, 2, key, address, 'skipped', say('nothingAnswered'));
      else if (!device.credential) this.item(input.runId, 2, key, address, 'failed', say('foundNoCredential', { what: device.protocol === 'redfish' ? 'Redfish' : 'SNMP' }));
      else this.item(input.runId, 2, key, address, 'done', say('found', { protocol: device.protocol, kind: device.kind, model: device.model ? `· ${device.model}` : '', credential: device.credential }));
    }).then(() => {
      this.proposeMatches(input.runId);
      this.update(input.runId, (data) => {
        data.discovery!.running = false;
      });
    });
    const tracked = work.finally(() => {
      this.discoveries.delete(input.runId);
      this.publish(input.runId, 2, true);
    });
    this.discoveries.set(input.runId, tracked);
    if (wait) await tracked;
    return this.get(input.runId);
  }

  /** Resolves when the run's discovery (if any) has finished. */
  async discoveryDone(runId: string): Promise<void> {
    await this.discoveries.get(runId);
  }

  /** Puts each discovered device in a slot of the cabinet: SNMP by kind, Redfish servers and storage in address order. */
  private proposeMatches(runId: string): void {
    const row = this.row(runId);
    const cabinet = this.deps.cabinets.viewForSite(row.site_id!);
    if (!cabinet) return;
    const slots = cabinet.devices
      .filter((device) => device.slotId && device.protocol !== 'none')
      .map((device) => ({ slotId: device.slotId!, deviceId: device.id, name: device.name, kind: device.kind, protocol: device.protocol as 'redfish' | 'snmp', u: device.u, ...this.knownIdentity(device.id, device.model) }));
    const matches = proposeSlotMatches(slots, this.data(runId).discovery?.devices ?? []);
    this.update(runId, (data) => {
      data.matches = matches;
    });
  }

  /** A slot's device as last read (serial, model), so a re-run puts the same hardware back in the same slot. */
  private knownIdentity(deviceId: string, templateModel: string | null): { model: string | null; serial: string | null } {
    const reading = this.db.prepare('SELECT reading FROM device_readings WHERE device_id = ? ORDER BY id DESC LIMIT 1').pluck().get(deviceId) as string | undefined;
    const parsed = reading ? (JSON.parse(reading) as Pick<DeviceReading, 'snmp' | 'redfish'>) : null;
    const system = parsed?.redfish?.systems[0];
    const entity = parsed?.snmp?.entities.find((each) => each.serial);
    return { model: system?.model ?? entity?.model ?? templateModel, serial: system?.serial ?? entity?.serial ?? null };
  }

  /** The user's confirmed slot ↔ device matches and trusted certificates: the devices get connected. */
  async confirm(input: z.output<typeof WizardMatchInput>): Promise<WizardState> {
    this.requireStep(input.runId, 2);
    const data = this.data(input.runId);
    const discovered = data.discovery?.devices ?? [];
    const issues: { field: string; code: string; message: string }[] = [];
    const matches = (data.matches ?? []).map((match) => {
      const chosen = input.matches.find((each) => each.slotId === match.slotId);
      return chosen ? { ...match, endpoint: chosen.endpoint } : match;
    });
    const seen = new Set<string>();
    for (const match of matches) {
      if (!match.endpoint) continue;
      const device = discovered.find((each) => `${each.address}:${each.port}` === match.endpoint);
      if (!device) issues.push({ field: match.slotId, code: 'not_found', message: `${match.endpoint} was not discovered` });
      else if (device.protocol !== match.protocol) issues.push({ field: match.slotId, code: 'mismatch', message: `${match.name} is managed over ${match.protocol}; ${match.endpoint} speaks ${device.protocol}` });
      else if (!device.credentialId) issues.push({ field: match.slotId, code: 'no_credential', message: `No credential opens ${match.endpoint} yet` });
      else if (device.protocol === 'redfish' && input.trusted[match.endpoint] !== device.fingerprint) {
        issues.push({ field: match.slotId, code: 'untrusted', message: `Compare and trust the certificate of ${match.endpoint} (SHA-256 ${device.fingerprint})` });
      }
      if (seen.has(match.endpoint)) issues.push({ field: match.slotId, code: 'duplicate', message: `${match.endpoint} is placed in two slots` });
      seen.add(match.endpoint);
    }
    if (issues.length) throw new InvalidInputError(issues);
    this.update(input.runId, (stored) => {
      stored.matches = matches;
    });
    for (const match of matches) {
      const key = `connect:${match.deviceId}`;
      if (!match.endpoint) {
        this.item(input.runId, 2, key, match.name, 'skipped', say('noDeviceInSlot'));
        continue;
      }
      const device = discovered.find((each) => `${each.address}:${each.port}` === match.endpoint)!;
      if (device.protocol === 'redfish') {
        const secret = this.deps.vault.open<RedfishSecret>(device.credentialId!);
        this.deps.devices.connect({ id: match.deviceId, protocol: 'redfish', url: `https://${match.endpoint}`, username: secret.username, password: secret.password, fingerprint: device.fingerprint });
      } else {
        const secret = this.deps.vault.open<{ community: string }>(device.credentialId!);
        this.deps.devices.connect({ id: match.deviceId, protocol: 'snmp', host: device.address, port: device.port, version: '2c', community: secret.community });
      }
      this.item(input.runId, 2, key, match.name, 'done', say('connectedAt', { endpoint: match.endpoint }));
    }
    this.deps.monitor.refreshTargets();
    this.stepTime(input.runId, 2, true);
    this.publish(input.runId, 2, true);
    return this.get(input.runId);
  }

  private connectedDevices(runId: string) {
    const row = this.row(runId);
    const cabinet = row.site_id ? this.deps.cabinets.viewForSite(row.site_id) : null;
    return (cabinet?.devices ?? []).filter((device) => device.hasCredential && device.endpoint && device.protocol !== 'none').map((device) => this.deps.cabinets.device(device.id));
  }

  /** Items of a step to run now: those asked for, else every one not done yet. */
  private due(runId: string, key: string, only: readonly string[]): boolean {
    if (only.length > 0) return only.includes(key);
    return this.itemState(runId, key) !== 'done';
  }

  // ── step 3: secure ──────────────────────────────────────────────────────

  async secure(input: z.output<typeof WizardSecureInput>): Promise<WizardState> {
    this.requireStep(input.runId, 3);
    this.stepTime(input.runId, 3, false);
    const devices = this.connectedDevices(input.runId);
    await boundedEach(devices, DEVICE_CONCURRENCY, async (device) => {
      if (device.protocol === 'redfish') {
        const key = `secure:${device.id}`;
        if (!this.due(input.runId, key, input.only)) return;
        this.item(input.runId, 3, key, device.name, 'running');
        try {
          const account = await this.rotation.rotate({ deviceId: device.id, endpoint: device.endpoint!, fingerprint: device.fingerprint, credentialId: device.credentialId! });
          this.item(input.runId, 3, key, device.name, 'done', say('passwordReplaced', { account }));
          this.change(input.runId, key, `${device.name}: BMC account "${account}" has a new generated password (in EdgeCab's credential store)`);
          this.finding(input.runId, key, null);
        } catch (error) {
          const message = (error as Error).message;
          this.item(input.runId, 3, key, device.name, 'failed', say('failed', { error: message }));
          this.finding(input.runId, key, say('passwordKept', { device: device.name, error: message }));
        }
        return;
      }
      const key = `snmpv3:${device.id}`;
      if (!this.due(input.runId, key, input.only)) return;
      this.item(input.runId, 3, key, device.name, 'running');
      const { host, port } = splitEndpoint(device.endpoint!);
      if (!input.snmpV3) {
        this.item(input.runId, 3, key, device.name, 'skipped', say('snmpNoUser'));
        this.finding(input.runId, key, say('snmpV2cStays', { device: device.name }));
        return;
      }
      const v3 = { user: input.snmpV3.user, authProtocol: input.snmpV3.authProtocol, authKey: input.snmpV3.authKey, privProtocol: input.snmpV3.privProtocol, privKey: input.snmpV3.privKey };
      try {
        await collectDevice({ host, port, version: '3', v3, timeoutMs: 2000, retries: 1 } as SnmpTarget);
        this.deps.devices.connect({ id: device.id, protocol: 'snmp', host, port, version: '3', v3 });
        this.item(input.runId, 3, key, device.name, 'done', say('snmpV3Moved', { user: input.snmpV3.user }));
        this.change(input.runId, key, `${device.name}: monitored over SNMPv3 authPriv as "${input.snmpV3.user}" instead of a v2c community`);
        this.finding(input.runId, key, null);
      } catch (error) {
        this.item(input.runId, 3, key, device.name, 'skipped', say('snmpV3Refused', { user: input.snmpV3.user, error: (error as Error).message }));
        this.finding(input.runId, key, say('snmpV3NotAllowed', { device: device.name, user: input.snmpV3.user }));
      }
    });
    this.deps.monitor.refreshTargets();
    if (!this.hasFailures(input.runId, 3)) this.stepTime(input.runId, 3, true);
    this.publish(input.runId, 3, true);
    return this.get(input.runId);
  }

  private hasFailures(runId: string, step: number): boolean {
    return (this.db.prepare("SELECT count(*) FROM wizard_items WHERE run_id = ? AND step = ? AND state = 'failed'").pluck().get(runId, step) as number) > 0;
  }

  // ── step 4: configure ───────────────────────────────────────────────────

  async configure(input: z.output<typeof WizardConfigureInput>): Promise<WizardState> {
    const row = this.requireStep(input.runId, 4);
    this.stepTime(input.runId, 4, false);
    const site = this.deps.sites.get(row.site_id!);
    const devices = this.connectedDevices(input.runId);
    await boundedEach(devices, DEVICE_CONCURRENCY, async (device) => {
      const run = async (action: string, label: string, work: () => Promise<WizardMessage>, skipWith?: WizardMessage) => {
        const key = `${action}:${device.id}`;
        if (!this.due(input.runId, key, input.only)) return;
        if (skipWith) {
          this.item(input.runId, 4, key, `${device.name} · ${label}`, 'skipped', skipWith);
          return;
        }
        this.item(input.runId, 4, key, `${device.name} · ${label}`, 'running');
        try {
          const detail = await work();
          this.item(input.runId, 4, key, `${device.name} · ${label}`, 'done', detail);
        } catch (error) {
          this.item(input.runId, 4, key, `${device.name} · ${label}`, 'failed', say('failed', { error: (error as Error).message }));
        }
      };
      if (device.protocol === 'redfish') {
        const secret = this.deps.vault.open<RedfishSecret>(device.credentialId!);
        const client = new RedfishClient({ url: device.endpoint!, username: secret.username, password: secret.password, pinnedFingerprint: device.fingerprint, requestTimeoutMs: 15_000 });
        try {
          const managerUri = await firstMember(client, '/redfish/v1/Managers').catch(() => null);
          const hostName = `${site.code}-${device.slotId ?? device.name}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 63);
          const noManager = managerUri ? undefined : say('noManager');
          await run('ntp', 'NTP', async () => {
            await setNtp(client, managerUri!, input.ntpServers);
            this.change(input.runId, `ntp:${device.id}`, `${device.name}: NTP ${input.ntpServers.join(', ')}`);
            return say('ntpSet', { servers: input.ntpServers.join(', ') });
          }, noManager);
          await run('dns', 'DNS', async () => {
            await setDns(client, managerUri!, input.dnsServers);
            this.change(input.runId, `dns:${device.id}`, `${device.name}: DNS ${input.dnsServers.join(', ')}`);
            return say('dnsSet', { servers: input.dnsServers.join(', ') });
          }, noManager);
          await run('hostname', 'host name', async () => {
            await setHostName(client, managerUri!, hostName);
            this.change(input.runId, `hostname:${device.id}`, `${device.name}: host name ${hostName}`);
            return say('hostNameSet', { name: hostName });
          }, noManager);
          await run('events', 'event delivery', async () => {
            const service = await client.get('/redfish/v1/EventService');
            const collection = (service.Subscriptions as { '@odata.id'?: string } | undefined)?.['@odata.id'];
            const existing = collection ? await client.get(collection) : { Members: [] };
            for (const member of Array.isArray(existing.Members) ? existing.Members : []) {
              const subscription = await client.get(String((member as { '@odata.id': string })['@odata.id']));
              if (subscription.Destination === input.eventDestination) return say('alreadySubscribed', { destination: input.eventDestination });
            }
            await createSubscription(client, input.eventDestination);
            this.change(input.runId, `events:${device.id}`, `${device.name}: Redfish events to ${input.eventDestination}`);
            return say('eventsTo', { destination: input.eventDestination });
          });
          await run('baseline', 'configuration baseline', async () => {
            const inventory = await readInventory(client, { now: this.now });
            this.saveBaseline(device.id, { managers: inventory.managers, firmware: inventory.firmware, systems: inventory.systems.map((system) => ({ id: system.id, model: system.model, serial: system.serial, biosVersion: system.biosVersion })) });
            return say('baselineRedfish', { firmware: inventory.firmware.length, managers: inventory.managers.length });
          });
        } finally {
          await client.close();
        }
      } else {
        await run('traps', 'trap destination', async () => say('trapsNotSettable'), say('trapsNotSettable'));
        this.finding(input.runId, `traps:${device.id}`, say('setTrapDestination', { device: device.name, destination: input.trapDestination }));
        await run('baseline', 'configuration baseline', async () => {
          const secret = this.deps.vault.open<Pick<SnmpTarget, 'version' | 'community' | 'v3'>>(device.credentialId!);
          const { host, port } = splitEndpoint(device.endpoint!);
          const snmp = await collectDevice({ host, port, timeoutMs: 2000, retries: 1, ...secret } as SnmpTarget, { now: this.now });
          this.saveBaseline(device.id, { system: snmp.system, entities: snmp.entities, profiles: snmp.profiles });
          return say('baselineSnmp', { system: snmp.system.descr ?? 'system', interfaces: snmp.interfaces.length });
        });
      }
    });
    if (!this.hasFailures(input.runId, 4)) this.stepTime(input.runId, 4, true);
    this.publish(input.runId, 4, true);
    return this.get(input.runId);
  }

  private saveBaseline(deviceId: string, config: unknown): void {
    this.db.prepare('INSERT INTO device_baselines (device_id, taken_at, config) VALUES (?, ?, ?)').run(deviceId, this.now().toISOString(), JSON.stringify(config));
  }

  // ── step 5: verify and hand over ────────────────────────────────────────

  async verify(runId: string): Promise<WizardState> {
    const row = this.requireStep(runId, 5);
    this.stepTime(runId, 5, false);
    await this.deps.monitor.pollSite(row.site_id!, 'inventory');
    const devices = this.connectedDevices(runId);
    await boundedEach(devices, DEVICE_CONCURRENCY, async (device) => {
      const key = `verify:${device.id}`;
      const state = this.deps.cabinets.device(device.id);
      let detail = say('verified', { status: state.status });
      let ok = state.status === 'ok' || state.status === 'warning';
      if (device.protocol === 'redfish' && ok) {
        const secret = this.deps.vault.open<RedfishSecret>(device.credentialId!);
        const client = new RedfishClient({ url: device.endpoint!, username: secret.username, password: secret.password, pinnedFingerprint: device.fingerprint, requestTimeoutMs: 10_000 });
        try {
          const first = await firstMember(client, '/redfish/v1/Managers');
          const manager = first ? await client.get(first) : {};
          if (typeof manager.DateTime === 'string') {
            const skew = Math.round((Date.parse(manager.DateTime) - this.now().getTime()) / 1000);
            detail = Math.abs(skew) <= TIME_SKEW_OK_SECONDS ? say('verifiedClock', { status: state.status }) : say('verifiedClockOff', { status: state.status, seconds: skew });
            if (Math.abs(skew) > TIME_SKEW_OK_SECONDS) this.finding(runId, `time:${device.id}`, say('clockOff', { device: device.name, seconds: skew }));
            else this.finding(runId, `time:${device.id}`, null);
          }
        } catch (error) {
          ok = false;
          detail = say('failed', { error: (error as Error).message });
        } finally {
          await client.close();
        }
      }
      this.item(runId, 5, key, device.name, ok ? 'done' : 'failed', detail);
    });
    this.update(runId, (data) => {
      data.reportReady = true;
    });
    if (!this.hasFailures(runId, 5)) {
      this.stepTime(runId, 5, true);
      this.db.prepare("UPDATE wizard_runs SET status = 'done', finished_at = ? WHERE id = ?").run(this.now().toISOString(), runId);
    }
    this.deps.monitor.refreshTargets();
    this.publish(runId, 5, true);
    return this.get(runId);
  }

  private async reportData(runId: string): Promise<ReportData> {
    const row = this.row(runId);
    const data = JSON.parse(row.data) as RunData;
    const site = this.deps.sites.get(row.site_id!);
    const cabinet = this.deps.cabinets.viewForSite(site.id)!;
    const discovered = data.discovery?.devices ?? [];
    const state = this.get(runId);
    const alarms = this.deps.alarms.list({ siteId: site.id }).alarms;
    return {
      site: { name: site.name, code: site.code, address: site.address, contact: site.contact, latitude: site.latitude, longitude: site.longitude },
      cabinet: cabinet.cabinet.name,
      startedAt: row.started_at,
      finishedAt: row.finished_at ?? this.now().toISOString(),
      steps: state.steps.map((step) => ({ step: step.step, seconds: step.seconds })),
      devices: cabinet.devices.map((device) => {
        const match = (data.matches ?? []).find((each) => each.deviceId === device.id);
        const found = discovered.find((each) => `${each.address}:${each.port}` === match?.endpoint);
        return {
          slot: device.slotId ?? '—',
          name: device.name,
          kind: device.kind,
          endpoint: device.endpoint,
          vendor: found?.vendor ?? null,
          model: found?.model ?? device.model,
          serial: found?.serial ?? null,
          firmware: found?.firmware ?? null,
          status: device.status,
        };
      }),
      changes: Object.values(data.changes ?? {}),
      findings: Object.values(data.findings ?? {}).map((finding) => finding.text),
      openAlarms: alarms.map((alarm) => `${alarm.severity}: ${alarm.deviceName ?? alarm.siteName} — ${alarm.message}`),
    };
  }

  async report(runId: string): Promise<WizardReport> {
    const row = this.row(runId);
    if (!(JSON.parse(row.data) as RunData).reportReady) throw new ConflictError('Run step 5 (verify) first', 'runId');
    const data = await this.reportData(runId);
    const html = reportHtml(data);
    const pdf = await reportPdf(data);
    return { fileName: `acceptance-${data.site.code}-${row.started_at.slice(0, 10)}`, html, pdfBase64: pdf.toString('base64') };
  }
}

/** The Date header of an HTTPS answer from address:port (no credentials sent, certificate not checked: only the clock is read). */
function httpsDate(address: string, port: number, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const req = httpsRequest({ host: address, port, path: '/redfish/v1/', method: 'GET', rejectUnauthorized: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(typeof res.headers.date === 'string' ? res.headers.date : null);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(null);
    });
    req.on('error', () => resolve(null));
    req.end();
  });
}
