import { request as httpsRequest } from 'node:https';
import { networkInterfaces } from 'node:os';
import type { z } from 'zod';
import { expandRanges, inSubnet, type PreflightCheck, type WizardSiteInput } from '../../../../../shared/domain/wizard.js';
import { ConflictError, InvalidInputError } from '../../../errors.js';
import { boundedEach } from '../discovery.js';
import type { WizardContext } from '../wizard-context.js';

const TIME_SKEW_OK_SECONDS = 60;

/** Step 1: the site and its cabinet, and the pre-flight check of this computer. */
export async function saveSite(context: WizardContext, input: z.output<typeof WizardSiteInput>): Promise<void> {
  const { store, deps } = context;
  const row = context.requireStep(input.runId, 1);
  const { runId, templateId, managementSubnet, language, ...fields } = input;
  // Everything that can refuse the input is checked before anything is written: a refused call leaves the run and the site as they were.
  if (!deps.cabinets.templates.has(templateId)) throw new InvalidInputError([{ field: 'templateId', code: 'not_found', message: `No cabinet model "${templateId}"` }]);
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(managementSubnet) || expandRanges(managementSubnet, 65_536).error) {
    throw new InvalidInputError([{ field: 'managementSubnet', code: 'invalid', message: 'A subnet like 10.20.0.0/24 (from /16 to /32)' }]);
  }
  const existing = row.site_id ? deps.cabinets.viewForSite(row.site_id) : null;
  if (existing && existing.cabinet.templateId !== templateId && existing.devices.some((device) => device.hasCredential)) {
    throw new ConflictError('Devices of this cabinet are connected already; the cabinet model cannot change now', 'templateId');
  }
  const site = row.site_id ? deps.sites.update({ id: row.site_id, ...fields }) : deps.sites.create(fields);
  context.stepTime(runId, 1, false);
  if (!deps.cabinets.viewForSite(site.id)) deps.cabinets.createForSite(site.id, templateId, null, language);
  store.setSite(runId, site.id);
  const checks = await preflight(managementSubnet, context.now, (address) => context.deps.network.allows(address));
  store.update(runId, (data) => {
    data.site = { ...fields, templateId, managementSubnet };
    data.preflight = checks;
  });
  context.stepTime(runId, 1, true);
  context.publish(runId, 1, true);
}

/** The laptop's own readiness: an interface on the management subnet, something answering there, and its clock. */
export async function preflight(subnet: string, now: () => Date, mayReach: (address: string) => boolean = () => true): Promise<PreflightCheck[]> {
  const base = subnet.split('/')[0]!;
  const interfaces = Object.entries(networkInterfaces()).flatMap(([name, addresses]) => (addresses ?? []).filter((address) => address.family === 'IPv4').map((address) => ({ name, ...address })));
  const onSubnet = interfaces.find((each) => inSubnet(each.address, subnet) || inSubnet(base, each.cidr ?? `${each.address}/32`));
  const checks: PreflightCheck[] = [
    onSubnet
      ? { id: 'interface', ok: true, detail: `${onSubnet.name} ${onSubnet.cidr ?? onSubnet.address} reaches ${subnet}` }
      : { id: 'interface', ok: false, detail: `No network interface of this computer is on ${subnet}; plug the laptop into the cabinet's management switch or set its address` },
  ];
  const { addresses } = expandRanges(subnet, 65_536);
  // Nothing is sent outside the networks EdgeCab may reach, not even to read a clock.
  const candidates = addresses.filter(mayReach).slice(0, 64);
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
      : candidates.length === 0
        ? { id: 'subnet', ok: false, detail: `${subnet} is outside the networks EdgeCab may reach (network policy); nothing was sent there` }
        : { id: 'subnet', ok: null, detail: `Nothing answered yet among the first ${candidates.length} addresses of ${subnet}; devices may still be starting` },
  );
  if (found) {
    const skew = Math.round((now().getTime() - Date.parse(found.date)) / 1000);
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
