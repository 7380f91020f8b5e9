import type { Database } from 'better-sqlite3';
import type { z } from 'zod';
import { expandRanges, WIZARD_BUDGET_SECONDS, WIZARD_STEPS, type WizardConfigureInput, type WizardDiscoverInput, type WizardMatchInput, type WizardReport, type WizardSecureInput, type WizardSiteInput, type WizardState } from '../../../../shared/domain/wizard.js';
import { ConflictError } from '../../errors.js';
import { stepPlan, type WorkFound } from './budget.js';
import type { FactoryCredentials } from './discovery.js';
import { reportHtml, reportPdf, type ReportData } from './report.js';
import { RunStore, type RunData, type StepTimes } from './run-store.js';
import { configure } from './steps/configure.js';
import { confirm, discover } from './steps/discover.js';
import { secure } from './steps/secure.js';
import { saveSite } from './steps/site.js';
import { verify } from './steps/verify.js';
import { WizardContext, type WizardDeps } from './wizard-context.js';

export type { WizardDeps } from './wizard-context.js';

/**
 * The first-boot wizard: five steps from an empty site to a secured,
 * configured, monitored cabinet with an acceptance report. Each step is a
 * file of its own (steps/); every step's work is kept as items so a step
 * can be re-run, resumed after the app was closed, or retried for the
 * failures only, without doing anything twice.
 */
export class WizardService {
  private readonly store: RunStore;
  private readonly context: WizardContext;
  private readonly discoveries = new Map<string, Promise<void>>();

  constructor(
    db: Database,
    private readonly deps: WizardDeps,
    factory: () => FactoryCredentials,
    private readonly now: () => Date,
  ) {
    this.store = new RunStore(db);
    this.context = new WizardContext(this.store, deps, factory, now);
  }

  start(): WizardState {
    return this.get(this.store.create(this.now().toISOString()));
  }

  /** Runs, newest first: what "resume" offers. */
  list(): { id: string; siteName: string | null; step: number; status: 'active' | 'done'; startedAt: string }[] {
    return this.store.list().map((row) => ({ id: row.id, siteName: row.site_name, step: row.step, status: row.status, startedAt: row.started_at }));
  }

  /** The work this run has found so far, to plan the steps from (the subnet and the cabinet model before discovery). */
  private workFound(data: RunData, siteId: string | null): WorkFound | null {
    const devices = data.discovery?.devices ?? [];
    const ranges = data.inputs?.discover?.ranges ?? data.site?.managementSubnet;
    const addresses = ranges ? expandRanges(ranges, 65_536).addresses.length : 0;
    if (devices.length > 0) return { addresses, bmcs: devices.filter((device) => device.protocol === 'redfish').length, snmpDevices: devices.filter((device) => device.protocol === 'snmp').length };
    const cabinet = siteId ? this.deps.cabinets.viewForSite(siteId) : null;
    if (!cabinet) return null;
    return { addresses, bmcs: cabinet.devices.filter((device) => device.protocol === 'redfish').length, snmpDevices: cabinet.devices.filter((device) => device.protocol === 'snmp').length };
  }

  get(runId: string): WizardState {
    const row = this.store.row(runId);
    const data = JSON.parse(row.data) as RunData;
    const times = JSON.parse(row.step_times) as StepTimes;
    const nowMs = row.finished_at ? Date.parse(row.finished_at) : this.now().getTime();
    const plan = stepPlan(this.workFound(data, row.site_id), data);
    const steps = WIZARD_STEPS.map((step) => {
      const time = times[step];
      const seconds = time ? ((time.finishedAt ? Date.parse(time.finishedAt) : nowMs) - Date.parse(time.startedAt)) / 1000 : 0;
      return { step, estimateSeconds: plan[step], startedAt: time?.startedAt ?? null, finishedAt: time?.finishedAt ?? null, seconds: Math.max(0, seconds) };
    });
    const elapsedSeconds = Math.max(0, (nowMs - Date.parse(row.started_at)) / 1000);
    const remaining = steps.filter((step) => !step.finishedAt).reduce((sum, step) => sum + Math.max(0, step.estimateSeconds - step.seconds), 0);
    const items = this.store.items(runId).map((item) => ({
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
      overBudget: elapsedSeconds + remaining > WIZARD_BUDGET_SECONDS,
      steps,
      site: data.site ?? null,
      preflight: data.preflight ?? [],
      discovery: {
        running: this.discoveries.has(runId),
        total: data.discovery?.total ?? 0,
        done: data.discovery?.done ?? 0,
        devices: (data.discovery?.devices ?? []).map(({ credentialId: _secret, adminCredentialId: _admin, ...device }) => device),
      },
      matches: data.matches ?? [],
      items,
      findings: Object.values(data.findings ?? {}),
      reportReady: data.reportReady ?? false,
      inputs: data.inputs ?? {},
    };
  }

  goto(runId: string, step: number): WizardState {
    const row = this.store.row(runId);
    if (step > row.reachable) throw new ConflictError(`Finish step ${row.reachable} first`, 'step');
    this.store.setStep(runId, step);
    return this.get(runId);
  }

  async saveSite(input: z.output<typeof WizardSiteInput>): Promise<WizardState> {
    await saveSite(this.context, input);
    return this.get(input.runId);
  }

  /** Starts discovery (in the background unless `wait`); per-address outcomes appear as items. */
  async discover(input: z.output<typeof WizardDiscoverInput>, wait = false): Promise<WizardState> {
    const running = discover(this.context, input, this.discoveries);
    if (wait) await running;
    else running.catch(() => undefined);
    return this.get(input.runId);
  }

  /** Resolves when the run's discovery (if any) has finished. */
  async discoveryDone(runId: string): Promise<void> {
    await this.discoveries.get(runId);
  }

  async confirm(input: z.output<typeof WizardMatchInput>): Promise<WizardState> {
    confirm(this.context, input);
    return this.get(input.runId);
  }

  async secure(input: z.output<typeof WizardSecureInput>): Promise<WizardState> {
    await secure(this.context, input);
    return this.get(input.runId);
  }

  async configure(input: z.output<typeof WizardConfigureInput>): Promise<WizardState> {
    await configure(this.context, input);
    return this.get(input.runId);
  }

  async verify(runId: string): Promise<WizardState> {
    await verify(this.context, runId);
    return this.get(runId);
  }

  private async reportData(runId: string): Promise<ReportData> {
    const row = this.store.row(runId);
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
    const row = this.store.row(runId);
    if (!(JSON.parse(row.data) as RunData).reportReady) throw new ConflictError('Run step 5 (verify) first', 'runId');
    const data = await this.reportData(runId);
    const html = reportHtml(data);
    const pdf = await reportPdf(data);
    return { fileName: `acceptance-${data.site.code}-${row.started_at.slice(0, 10)}`, html, pdfBase64: pdf.toString('base64') };
  }
}
