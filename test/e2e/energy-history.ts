/**
 * Two weeks of energy for the e2e server, recorded the way the server itself
 * records it: before `edgecab serve` opens the data directory, a core in the
 * test process opens the same directory on a clock the test moves and polls
 * two cabinets whose UPS and PDU are lab SNMP agents (the real protocol, the
 * real monitor), then rolls the closed hours into energy as the server's
 * timer would. Nothing is written into the database by hand; the server then
 * opens a directory a longer-running EdgeCab would have left.
 *
 * Each day from 13 days ago to yesterday is polled from 09:00 to 12:00 local
 * time (every 15 minutes, as often as the rollup needs power readings), and
 * today the last three hours. The lab UPS's output and input power are set
 * after each poll to follow what the PDU behind it measured (a lab UPS's
 * readings stand still otherwise). Hangzhou draws about a third more in the
 * last week (three of its PDU's outlets switched on) and its PDU counter is
 * cleared three days ago; Suzhou draws the same all along, sits in a region
 * without a tariff, and its UPS reports no power for the last day (from the
 * first polls within 27 hours of now: "today" alone is not enough, since
 * yesterday's Shanghai morning is within the last 24 hours when the test
 * runs before 04:00 in Shanghai).
 */
import { createCore, type Core } from '../../main/core/index.js';
import { LabPdu, LabUps } from '../../main/lab/snmp/devices.js';
import { localDay } from '../../shared/domain/energy.js';

const STEP_SECONDS = 15 * 60;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface HistorySite {
  siteId: string;
  code: string;
  name: string;
  regionId: number;
  pdu: LabPdu;
  ups: LabUps;
  pduId: string;
  upsId: string;
}

export interface EnergyHistory {
  hangzhou: HistorySite;
  suzhou: HistorySite;
  /** The region with a tariff of its own (Hangzhou's parent). */
  zhejiangId: number;
  polls: number;
  /** Moves the lab PDUs' counters on in real time while the server polls them. */
  stop(): Promise<void>;
}

/** Shanghai has no daylight saving: local 09:00 of a day is 01:00 UTC. */
const shanghaiNine = (day: string) => Date.parse(`${day}T01:00:00Z`);

export async function recordEnergyHistory(dataDir: string): Promise<EnergyHistory> {
  const end = Date.now();
  let clock = end - 14 * DAY_MS;
  const core = createCore({ dataDir, host: 'server', now: () => new Date(clock) });
  const started: (LabPdu | LabUps)[] = [];
  try {
    const client = core.client('e2e-history');
    const zhejiang = await client.regions.create({ name: 'Zhejiang' });
    const hangzhouRegion = await client.regions.create({ name: 'Hangzhou', parentId: zhejiang.id });
    const jiangsu = await client.regions.create({ name: 'Jiangsu' });
    await client.energy.setTariff({
      regionId: zhejiang.id,
      tariff: {
        currency: 'CNY',
        timeZone: 'Asia/Shanghai',
        periods: [
          { band: 'valley', from: 23, to: 7, price: 0.31 },
          { band: 'flat', from: 7, to: 10, price: 0.65 },
          { band: 'peak', from: 10, to: 15, price: 1.08 },
          { band: 'flat', from: 15, to: 18, price: 0.65 },
          { band: 'peak', from: 18, to: 23, price: 1.08 },
        ],
      },
    });
    const cabinet = async (name: string, code: string, regionId: number, latitude: number, longitude: number, seed: number): Promise<HistorySite> => {
      const site = await client.sites.create({ name, code, latitude, longitude, regionId });
      const placed = await client.cabinets.create({ siteId: site.id, templateId: 'edge-12u' });
      const pdu = await new LabPdu({ name: `${code.toLowerCase()}-pdu`, port: 0, address: '127.0.0.1', community: 'public', seed }).start();
      started.push(pdu);
      const ups = await new LabUps({ name: `${code.toLowerCase()}-ups`, port: 0, address: '127.0.0.1', community: 'public', seed: seed + 1 }).start();
      started.push(ups);
      const pduId = placed.devices.find((device) => device.kind === 'pdu')!.id;
      const upsId = placed.devices.find((device) => device.kind === 'ups')!.id;
      await client.devices.connect({ id: pduId, protocol: 'snmp', host: '127.0.0.1', port: pdu.port, version: '2c', community: 'public' });
      await client.devices.connect({ id: upsId, protocol: 'snmp', host: '127.0.0.1', port: ups.port, version: '2c', community: 'public' });
      return { siteId: site.id, code, name, regionId, pdu, ups, pduId, upsId };
    };
    const hangzhou = await cabinet('Hangzhou West Lake', 'HZ-XH-01', hangzhouRegion.id, 30.25, 120.15, 11);
    const suzhou = await cabinet('Suzhou Industrial Park', 'SZ-GY-01', jiangsu.id, 31.3, 120.7, 23);
    core.services.monitor.refreshTargets();
    // Hangzhou: three outlets switched on a week ago.
    for (const outlet of [6, 7, 8]) hangzhou.pdu.setOutlet(outlet, false);

    const today = localDay(end / 1000, 'Asia/Shanghai');
    const segments: { from: number; to: number; daysAgo: number }[] = [];
    for (let daysAgo = 13; daysAgo >= 1; daysAgo -= 1) {
      const from = shanghaiNine(today) - daysAgo * DAY_MS;
      segments.push({ from, to: from + 3 * HOUR_MS, daysAgo });
    }
    segments.push({ from: end - 3 * HOUR_MS, to: end, daysAgo: 0 });

    let polls = 0;
    let suzhouUpsSilent = false;
    for (const segment of segments) {
      if (segment.daysAgo === 6) for (const outlet of [6, 7, 8]) hangzhou.pdu.setOutlet(outlet, true);
      if (!suzhouUpsSilent && segment.from >= end - DAY_MS - 3 * HOUR_MS) {
        // Suzhou's UPS still answers, but no longer reports its input and output power.
        suzhou.ups.agent.deleteRow('upsOutputTable', 1);
        suzhou.ups.agent.deleteRow('upsInputTable', 1);
        suzhouUpsSilent = true;
      }
      for (let at = segment.from; at <= segment.to; at += STEP_SECONDS * 1000) {
        clock = at;
        if (at > segment.from) for (const site of [hangzhou, suzhou]) site.pdu.tick(STEP_SECONDS);
        if (segment.daysAgo === 3 && at === segment.from + 90 * 60_000) hangzhou.pdu.resetEnergy();
        await Promise.all([core.services.monitor.pollSite(hangzhou.siteId), core.services.monitor.pollSite(suzhou.siteId)]);
        polls += 1;
        // The UPS feeds the PDU: its output a little above what the PDU measured, its input above that by its own losses.
        for (const site of suzhouUpsSilent ? [hangzhou] : [hangzhou, suzhou]) followPdu(core, site);
      }
      clock = Math.min(segment.to + 10 * 60_000, end);
      core.services.energy.rollClosedHours();
    }
    const stopReal = tickInRealTime([hangzhou.pdu, suzhou.pdu]);
    return {
      hangzhou,
      suzhou,
      zhejiangId: zhejiang.id,
      polls,
      stop: async () => {
        stopReal();
        await Promise.all(started.map((device) => device.stop()));
      },
    };
  } catch (error) {
    await Promise.all(started.map((device) => device.stop().catch(() => undefined)));
    throw error;
  } finally {
    await core.close();
  }
}

function followPdu(core: Core, site: HistorySite): void {
  const watts = core.db
    .prepare("SELECT r.v FROM metric_raw r JOIN metric_series s ON s.id = r.series_id WHERE s.device_id = ? AND s.key = 'pdu-power' ORDER BY r.t DESC LIMIT 1")
    .pluck()
    .get(site.pduId) as number | undefined;
  if (watts === undefined) return;
  const output = Math.round(watts * 1.03);
  site.ups.agent.setCell('upsOutputTable', 4, 1, output);
  site.ups.agent.setCell('upsInputTable', 5, 1, Math.round(output / 0.94));
}

/** While the server polls them, the PDUs count what their outlets draw, as real ones do. */
function tickInRealTime(pdus: readonly LabPdu[]): () => void {
  const timer = setInterval(() => {
    for (const pdu of pdus) pdu.tick(5);
  }, 5000);
  timer.unref();
  return () => clearInterval(timer);
}
