import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { EnergyFleet, SiteEnergy, Tariff } from '../../shared/domain/energy.js';
import type { Region } from '../../shared/domain/region.js';
import { axisNumber, change, kwhNumber, money, ratio } from '../../renderer/features/energy/energy-format.js';
import { ENERGY_PALETTE, ENERGY_SLOTS, energyColouring, stepOf } from '../../renderer/features/map/energy-colours.js';
import { createUser, signedInPage } from './auth-helpers.js';
import { recordEnergyHistory, type EnergyHistory } from './energy-history.js';
import { api, apiPost, expect, SCREENSHOT_DIR, startEdgecab, stopEdgecab, test as base } from './fixtures.js';

/**
 * The energy screens against a real `edgecab serve` whose data directory
 * already holds two weeks of energy from two cabinets (energy-history.ts:
 * recorded by a core polling lab SNMP devices on a moved clock, before the
 * server opened the directory), plus a lab cabinet started over REST whose
 * devices are read but have no closed hour yet.
 */
const test = base.extend<object, { history: EnergyHistory & { dataDir: string }; edgecab: { url: string; dataDir: string; session: string; token: string } }>({
  history: [
    async ({}, use) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'edgecab-e2e-energy-'));
      const started = Date.now();
      const history = await recordEnergyHistory(dataDir);
      console.log(`energy history: ${history.polls} polls of 2 cabinets in ${Date.now() - started} ms`);
      await use({ ...history, dataDir });
      await history.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 180_000 },
  ],
  edgecab: [
    async ({ history }, use) => {
      const { url, child, session, token } = await startEdgecab(history.dataDir);
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await use({ url, dataDir: history.dataDir, session, token });
      await stopEdgecab(child);
    },
    { scope: 'worker', timeout: 60_000 },
  ],
});

const HEADER = 'site_code,site_name,day,it_kwh,input_kwh,loss_kwh,efficiency,peak_kwh,flat_kwh,valley_kwh,cost,currency,hours,compared_hours';

async function json<T>(url: string, path: string): Promise<T> {
  const response = await api(url, path);
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

/** A tall window: the app scrolls inside its main area, so a screenshot shows what fits. */
async function shoot(page: Page, name: string, height = 1500): Promise<void> {
  await page.setViewportSize({ width: 1360, height });
  await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}.png` });
  await page.setViewportSize({ width: 1360, height: 820 });
}

test.describe('Energy', () => {
  let lab: { siteId: string; code: string };
  let labRegion: Region;

  test.beforeAll(async ({ edgecab }) => {
    // A lab cabinet: its PDU counts energy and reports power, but no hour of it has closed yet.
    const started = (await (await apiPost(edgecab.url, '/lab', { sites: 1, seed: 18, templateId: 'edge-12u' })).json()) as { sites: { siteId: string; code: string }[] };
    lab = started.sites[0]!;
    expect((await apiPost(edgecab.url, `/sites/${lab.siteId}/poll`, {})).status).toBe(200);
    labRegion = (await json<Region[]>(edgecab.url, '/regions')).find((region) => region.name === 'EdgeCab lab')!;
  });

  test('the fleet: energy and cost over 7, 30 or 90 days, the trend per day, sites by energy with week-on-week change and missing data, and the CSV export, in English and Chinese', async ({ page, edgecab }) => {
    const url = edgecab.url;
    const fleet = await json<EnergyFleet>(url, '/energy?days=30');
    // What the recorded history makes: both cabinets priced or not, Hangzhou up about a third week on week, the lab cabinet with nothing yet.
    const hangzhou = fleet.sites.find((site) => site.code === 'HZ-XH-01')!;
    const suzhou = fleet.sites.find((site) => site.code === 'SZ-GY-01')!;
    const labSite = fleet.sites.find((site) => site.code === lab.code)!;
    expect(hangzhou.kwh).toBeGreaterThan(0);
    expect(hangzhou.change).toBeGreaterThan(0.15);
    expect(Math.abs(suzhou.change ?? 1)).toBeLessThan(0.15);
    expect(hangzhou.currency).toBe('CNY');
    expect(suzhou.cost).toBeNull();
    expect(labSite).toMatchObject({ kwh: 0, missing: true });
    expect(hangzhou.missing || suzhou.missing).toBe(false);

    await page.goto('/#/map');
    await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Energy' }).click();
    await expect(page.getByRole('heading', { name: 'Energy', level: 1 })).toBeVisible();
    await expect(page.getByRole('radio', { name: '30 days' })).toBeChecked();
    await expect(page.getByTestId('energy-total')).toContainText(`${kwhNumber(fleet.totalKwh, 'en')} kWh`);
    await expect(page.getByTestId('energy-cost')).toContainText(money(fleet.costs[0]!.cost, 'CNY', 'en'));
    await expect(page.getByTestId('energy-missing-count')).toContainText(String(fleet.sites.filter((site) => site.missing).length));
    // A bar per day of the span, drawn for the days with energy.
    const trend = page.getByTestId('energy-trend');
    await expect(trend.locator('.energy-chart-group')).toHaveCount(30);
    await expect(trend.locator('rect.energy-bar')).toHaveCount(fleet.days.length);
    await expect(trend.getByRole('img')).toHaveAttribute('aria-label', new RegExp(`${kwhNumber(fleet.totalKwh, 'en')} kWh in all`));

    // Biggest consumers first, as the core ranks them; Hangzhou's rise highlighted, Suzhou's steady week not; the lab cabinet missing data.
    const table = page.getByTestId('energy-sites');
    const rows = table.locator('tbody tr');
    await expect(rows).toHaveCount(fleet.sites.length);
    for (const [index, site] of fleet.sites.entries()) await expect(rows.nth(index)).toHaveAttribute('data-testid', `energy-site-${site.code}`);
    const hzRow = table.getByTestId('energy-site-HZ-XH-01');
    await expect(hzRow).toContainText(`${kwhNumber(hangzhou.kwh, 'en')} kWh`);
    await expect(hzRow).toContainText(money(hangzhou.cost!, 'CNY', 'en'));
    await expect(hzRow.getByTestId('energy-change')).toHaveText(`▲ ${change(hangzhou.change!, 'en')} up`);
    await expect(hzRow.getByTestId('energy-change')).toHaveClass(/big up/);
    await expect(hzRow).toContainText('Recording');
    // The fleet counts efficiency as the site's own view does: the UPS against the PDU standing for the IT load.
    expect(hangzhou.efficiency).toBeGreaterThan(1);
    await expect(hzRow).toContainText(ratio(hangzhou.efficiency!, 'en'));
    const szRow = table.getByTestId('energy-site-SZ-GY-01');
    await expect(szRow.getByTestId('energy-change')).not.toHaveClass(/big/);
    await expect(szRow.locator('td').nth(2)).toHaveText('—');
    const labRow = table.getByTestId(`energy-site-${lab.code}`);
    await expect(labRow.getByTestId('energy-missing')).toHaveText('Missing data');
    await expect(labRow.locator('td').nth(3)).toHaveText('—');
    await page.getByLabel('Only sites missing data').check();
    await expect(rows).toHaveCount(1);
    await page.getByLabel('Only sites missing data').uncheck();
    await shoot(page, 'energy-fleet-en', 1150);

    // Another span: the totals are the core's for 7 days.
    const week = await json<EnergyFleet>(url, '/energy?days=7');
    await page.getByText('7 days', { exact: true }).click();
    await expect(page.getByTestId('energy-total')).toContainText(`${kwhNumber(week.totalKwh, 'en')} kWh`);
    await expect(trend.locator('.energy-chart-group')).toHaveCount(7);
    await page.getByText('90 days', { exact: true }).click();
    await expect(trend.locator('.energy-chart-group')).toHaveCount(90);
    await page.getByText('30 days', { exact: true }).click();

    // Export CSV: the browser downloads the core's file, a header row first, a row per site and day.
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(`edgecab-energy-${fleet.from}-to-${fleet.to}.csv`);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe(HEADER);
    expect(lines.filter((line) => line.startsWith('HZ-XH-01,Hangzhou West Lake,')).length).toBeGreaterThanOrEqual(13);
    expect(lines.some((line) => line.startsWith('SZ-GY-01,Suzhou Industrial Park,'))).toBe(true);
    expect(lines.some((line) => line.startsWith(`${lab.code},`))).toBe(false);
    await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toHaveText(`Saved ${download.suggestedFilename()}`);

    // Chinese.
    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(page.getByRole('heading', { name: '能耗', level: 1 })).toBeVisible();
    await expect(page.getByRole('button', { name: '导出 CSV' })).toBeVisible();
    await expect(page.getByTestId('energy-total')).toContainText(`用电量${kwhNumber(fleet.totalKwh, 'zh-CN')} kWh机柜输入，全部站点`);
    await expect(labRow.getByTestId('energy-missing')).toHaveText('缺少数据');
    await expect(hzRow.getByTestId('energy-change')).toContainText('上升');
    await expect(page.getByRole('columnheader', { name: '周环比' })).toBeVisible();
    await shoot(page, 'energy-fleet-zh-CN', 1150);
  });

  test('a site: IT load against input per day, losses, efficiency, bands and cost, each device’s share and how it was measured, devices missing data and counter problems, in English and Chinese', async ({ page, edgecab, history }) => {
    const url = edgecab.url;
    const hz = await json<SiteEnergy>(url, `/sites/${history.hangzhou.siteId}/energy?days=7`);
    // The UPS's input and output are measured apart from the PDU: losses and an efficiency ratio; the PDU by its own counter, reset once.
    expect(hz.totals.efficiency).toBeGreaterThan(1);
    expect(hz.tariff).toMatchObject({ currency: 'CNY', timeZone: 'Asia/Shanghai', regionId: history.zhejiangId });
    expect(hz.missing).toEqual([]);

    await page.goto(`/#/sites/${history.hangzhou.siteId}`);
    const card = page.getByTestId('site-energy');
    await expect(card.getByRole('heading', { name: 'Energy', level: 2 })).toBeVisible();
    await expect(card.getByTestId('site-energy-tariff')).toHaveText('Priced at the tariff of Zhejiang (CNY, Asia/Shanghai).');
    await expect(card.getByTestId('site-energy-efficiency')).toHaveText(ratio(hz.totals.efficiency!, 'en'));
    await expect(card.getByTestId('site-energy-cost')).toHaveText(money(hz.totals.cost!, 'CNY', 'en'));
    await expect(card.getByTestId('site-energy-totals')).toContainText(`Losses${kwhNumber(hz.totals.lossKwh!, 'en')} kWh`);
    const days = card.getByTestId('site-energy-days').locator('tbody tr');
    await expect(days).toHaveCount(hz.days.length);
    const newest = [...hz.days].sort((a, b) => b.day.localeCompare(a.day))[0]!;
    const newestRow = card.getByTestId(`site-energy-day-${newest.day}`);
    await expect(newestRow.locator('td').nth(1)).toHaveText(`${kwhNumber(newest.itKwh!, 'en')} kWh`);
    await expect(newestRow.locator('td').nth(2)).toHaveText(`${kwhNumber(newest.inputKwh!, 'en')} kWh`);
    await expect(card.getByTestId('site-energy-chart').locator('.energy-chart-group')).toHaveCount(hz.days.length);
    // Per calendar month: the input and its cost, whatever span is shown (two weeks of history: this month, perhaps the last).
    expect(hz.months.length).toBeGreaterThanOrEqual(1);
    expect(hz.months.reduce((sum, month) => sum + month.days, 0)).toBeGreaterThanOrEqual(14);
    const thisMonth = hz.months.at(-1)!;
    const monthRow = card.getByTestId(`site-energy-month-${thisMonth.month}`);
    await expect(monthRow.locator('td').nth(1)).toHaveText(`${kwhNumber(thisMonth.inputKwh, 'en')} kWh`);
    await expect(monthRow.locator('td').nth(5)).toHaveText(money(thisMonth.cost!, 'CNY', 'en'));
    // Devices: the roles named, the source of each one's kWh.
    await expect(card.getByTestId('site-energy-device-pdu')).toContainText('PDU');
    await expect(card.getByTestId('site-energy-device-pdu')).toContainText('Its own energy counter');
    await expect(card.getByTestId('site-energy-device-ups-input')).toContainText('UPS input');
    await expect(card.getByTestId('site-energy-device-ups-input')).toContainText('Integrated from power readings');
    await expect(card.getByTestId('site-energy-device-ups-output')).toContainText('UPS output');
    await expect(card.getByTestId('site-energy-missing')).toContainText('All 2 metered devices recorded energy in the last 24 hours.');
    await expect(card.getByTestId('site-energy-problems')).toContainText(/the counter went back from [\d.]+ to [\d.]+ kWh: counted as reset/);
    await page.setViewportSize({ width: 1360, height: 1500 });
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: `${SCREENSHOT_DIR}/energy-site-en.png` });

    // Chinese: the same panel, roles and sources translated.
    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(card.getByRole('heading', { name: '能耗', level: 2 })).toBeVisible();
    await expect(card.getByTestId('site-energy-device-ups-input')).toContainText('UPS 输入');
    await expect(card.getByTestId('site-energy-device-ups-input')).toContainText('由功率读数积分得出');
    await expect(card.getByTestId('site-energy-device-pdu')).toContainText('设备自身的电能计数器');
    await expect(card.getByTestId('site-energy-tariff')).toHaveText('按 Zhejiang 的电价计费（CNY，Asia/Shanghai）。');
    await expect(card.getByTestId('site-energy-missing')).toContainText('全部 2 台计量设备在最近 24 小时内都有能耗记录。');
    await card.screenshot({ path: `${SCREENSHOT_DIR}/energy-site-zh-CN.png` });
    await page.getByLabel('语言').selectOption('en');
    await page.setViewportSize({ width: 1360, height: 820 });

    // Suzhou: no tariff anywhere above it, and its UPS reported no power for the last day.
    const sz = await json<SiteEnergy>(url, `/sites/${history.suzhou.siteId}/energy?days=7`);
    expect(sz.tariff).toBeNull();
    expect(sz.missing).toEqual([history.suzhou.upsId]);
    await page.goto(`/#/sites/${history.suzhou.siteId}`);
    await expect(card.getByTestId('site-energy-tariff')).toContainText('No tariff applies to this site, so costs are not shown.');
    await expect(card.getByTestId('site-energy-cost')).toHaveText('—');
    await expect(card.getByTestId('site-energy-missing')).toContainText('1 of 2 metered devices recorded no energy in the last 24 hours:');
    await expect(card.getByTestId('site-energy-missing').getByRole('link')).toHaveText('UPS');

    // The lab cabinet: read, metered, but no hour closed yet: nothing counted, every metered device missing.
    const labEnergy = await json<SiteEnergy>(url, `/sites/${lab.siteId}/energy?days=7`);
    expect(labEnergy.days).toEqual([]);
    expect(labEnergy.metered).toBeGreaterThan(0);
    expect(labEnergy.missing.length).toBe(labEnergy.metered);
    await page.goto(`/#/sites/${lab.siteId}`);
    await expect(card.getByTestId('site-energy-empty')).toContainText('No energy recorded in this period yet.');
    await expect(card.getByTestId('site-energy-missing')).toContainText(`${labEnergy.metered} of ${labEnergy.metered} metered devices recorded no energy in the last 24 hours:`);
    await expect(card.getByTestId('site-energy-missing').getByRole('link', { name: 'PDU', exact: true })).toBeVisible();
    await expect(card.getByText('No device has recorded energy in this period.')).toBeVisible();
    await page.setViewportSize({ width: 1360, height: 1500 });
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: `${SCREENSHOT_DIR}/energy-site-lab-en.png` });
  });

  test('a region’s tariff on the Regions page: a gap and an overlap refused with the core’s words, a valid day saved, read-only for a viewer, removed, in English and Chinese', async ({ page, browser, edgecab }) => {
    page.on('dialog', (dialog) => void dialog.accept());
    const url = edgecab.url;
    const tariffOf = async () => (await json<{ tariff: Tariff | null }>(url, `/regions/${labRegion.id}/tariff`)).tariff;
    expect(await tariffOf()).toBeNull();

    await page.goto('/#/regions');
    const row = page.getByTestId(`region-${labRegion.path}`);
    await row.getByRole('button', { name: 'Tariff' }).click();
    const panel = row.getByTestId('tariff-panel');
    await expect(panel.getByRole('heading', { name: 'Tariff of EdgeCab lab' })).toBeVisible();
    await expect(panel.getByTestId('tariff-none')).toHaveText('This region has no tariff of its own.');
    const period = async (index: number, band: string, from: string, to: string, price: string) => {
      await panel.getByLabel(`Period ${index}: Band`).selectOption({ label: band });
      await panel.getByLabel(`Period ${index}: From`).selectOption({ label: from });
      await panel.getByLabel(`Period ${index}: To`).selectOption({ label: to });
      await panel.getByLabel(`Period ${index}: Price per kWh`).fill(price);
    };
    // Valley overnight, flat by day, peak in the evening, but it stops at 22:00: the core names the hour in no period.
    await period(1, 'Valley', '23:00', '07:00', '0.3');
    await panel.getByRole('button', { name: 'Add period' }).click();
    await period(2, 'Flat', '07:00', '18:00', '0.65');
    await panel.getByRole('button', { name: 'Add period' }).click();
    await period(3, 'Peak', '18:00', '22:00', '1.1');
    await panel.getByRole('button', { name: 'Save tariff' }).click();
    await expect(panel.getByTestId('tariff-issues')).toContainText('The tariff was not saved:');
    await expect(panel.getByTestId('tariff-issues')).toContainText('22:00–23:00 is in no period');
    // The peak runs to 23:00 but the flat day now to 19:00: an hour in two periods.
    await panel.getByLabel('Period 3: To').selectOption({ label: '23:00' });
    await panel.getByLabel('Period 2: To').selectOption({ label: '19:00' });
    await panel.getByRole('button', { name: 'Save tariff' }).click();
    await expect(panel.getByTestId('tariff-issues')).toContainText('18:00–19:00 is in period 2 and period 3');
    await expect(panel.getByTestId('tariff-issues')).not.toContainText('22:00–23:00');
    await expect(panel.getByTestId('tariff-day').locator('.tariff-hour.overlap')).toHaveCount(1);
    expect(await tariffOf()).toBeNull();
    await shoot(page, 'energy-tariff-refused-en', 1000);
    // Flat to 18:00: every hour once. Saved, as the core keeps it.
    await panel.getByLabel('Period 2: To').selectOption({ label: '18:00' });
    await panel.getByRole('button', { name: 'Save tariff' }).click();
    await expect(panel.getByRole('status')).toHaveText('Tariff saved.');
    await expect(panel.getByTestId('tariff-issues')).toHaveCount(0);
    expect(await tariffOf()).toEqual({
      currency: 'CNY',
      timeZone: 'Asia/Shanghai',
      periods: [
        { band: 'valley', from: 23, to: 7, price: 0.3 },
        { band: 'flat', from: 7, to: 18, price: 0.65 },
        { band: 'peak', from: 18, to: 23, price: 1.1 },
      ],
    });
    await expect(panel.getByTestId('tariff-day').locator('.tariff-hour.peak')).toHaveCount(5);
    await expect(panel.getByTestId('tariff-day').locator('.tariff-hour.valley')).toHaveCount(8);
    await shoot(page, 'energy-tariff-en', 1000);

    // The lab site is priced by it now.
    const labSite = await json<SiteEnergy>(url, `/sites/${lab.siteId}/energy?days=7`);
    expect(labSite.tariff).toMatchObject({ regionId: labRegion.id, currency: 'CNY' });

    // Chinese: the panel, and the core's words about an overlap in Chinese.
    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(panel.getByRole('heading', { name: 'EdgeCab lab 的电价' })).toBeVisible();
    await panel.getByLabel('时段 3: 开始').selectOption({ label: '17:00' });
    await panel.getByRole('button', { name: '保存电价' }).click();
    await expect(panel.getByTestId('tariff-issues')).toContainText('电价未保存：');
    await expect(panel.getByTestId('tariff-issues')).toContainText('17:00–18:00 同时属于时段 2 和时段 3');
    await shoot(page, 'energy-tariff-zh-CN', 1000);
    await page.getByLabel('语言').selectOption('en');

    // A viewer of the region reads it and cannot change it.
    await createUser(url, 'energy-viewer', 'viewer of the lab 42', [{ role: 'viewer', regionId: labRegion.id }]);
    const viewer = await signedInPage(browser, url, { name: 'energy-viewer', password: 'viewer of the lab 42' });
    await viewer.page.goto('/#/regions');
    const viewerRow = viewer.page.getByTestId(`region-${labRegion.path}`);
    await viewerRow.getByRole('button', { name: 'Tariff' }).click();
    await expect(viewerRow.getByTestId('tariff-readonly').locator('tbody tr')).toHaveCount(3);
    await expect(viewerRow.getByTestId('tariff-readonly')).toContainText('1.1 CNY');
    await expect(viewerRow.getByText('Only an administrator of this region can change it.')).toBeVisible();
    await expect(viewerRow.getByRole('button', { name: 'Save tariff' })).toHaveCount(0);
    await viewer.context.close();

    // Removed: the region has none of its own again.
    await panel.getByRole('button', { name: 'Remove tariff' }).click();
    await expect(panel.getByRole('status')).toHaveText('Tariff removed.');
    await expect(panel.getByTestId('tariff-none')).toBeVisible();
    expect(await tariffOf()).toBeNull();
  });

  test('the map coloured by energy per day: each site by its kWh of yesterday in a few steps, with a legend, no data in grey, the site card with its kWh, in English and Chinese', async ({ page, edgecab, history }) => {
    const fleet = await json<EnergyFleet>(edgecab.url, '/energy?days=2');
    const hangzhou = fleet.sites.find((site) => site.code === 'HZ-XH-01')!;
    const suzhou = fleet.sites.find((site) => site.code === 'SZ-GY-01')!;
    // Both recorded cabinets counted yesterday; the lab cabinet nothing (no hour of it closed yet).
    expect(hangzhou.lastDayKwh).toBeGreaterThan(0);
    expect(suzhou.lastDayKwh).toBeGreaterThan(0);
    expect(fleet.sites.find((site) => site.code === lab.code)!.lastDayKwh).toBe(0);
    const { steps, colours } = energyColouring(fleet.sites);
    expect(steps.length).toBe(3);
    const slotOf = (siteId: string) => colours.get(siteId) ?? 'unknown';
    // Hangzhou, the larger of the two, is in the top step or the one below it.
    expect(stepOf(hangzhou.lastDayKwh, steps)).toBeGreaterThanOrEqual(2);

    await page.goto('/#/map');
    const colourBy = page.getByRole('combobox', { name: 'Colour by' });
    await expect(colourBy.getByRole('option')).toHaveText(['Health', 'Energy per day', 'Firmware compliance']);
    await colourBy.selectOption({ label: 'Energy per day' });
    expect(new URL(page.url()).hash).toBe('#/map?colour=energy');

    // The legend: yesterday's kWh in steps of a round size, each with how many sites show it, and no data.
    const legend = page.getByTestId('map-legend');
    await expect(legend.getByTestId('legend-energy')).toHaveText('Energy yesterday, per site');
    const kwh = (value: number) => axisNumber(value, 'en');
    const labels = [`under ${kwh(steps[0]!)} kWh`, `${kwh(steps[0]!)}–${kwh(steps[1]!)} kWh`, `${kwh(steps[1]!)}–${kwh(steps[2]!)} kWh`, `${kwh(steps[2]!)} kWh or more`];
    for (const [index, label] of labels.entries()) {
      const shown = fleet.sites.filter((site) => colours.get(site.siteId) === ENERGY_SLOTS[index]).length;
      await expect(legend.getByTestId(`legend-energy-${index + 1}`)).toHaveText(`${label} ${shown}`);
    }
    await expect(legend.getByTestId('legend-energy-none')).toHaveText('No data 1');
    await expect(legend.getByTestId('legend-ok')).toHaveCount(0);

    // Each site drawn in its step's slot (the lab cabinet as no data), the slot drawn in the energy palette.
    await page.evaluate(() => (window as unknown as { edgecabMap: { map: { setView(at: [number, number], zoom: number): void } } }).edgecabMap.map.setView([30.78, 120.43], 9));
    await expect.poll(() => drawnState(page, 'HZ-XH-01')).toBe(slotOf(history.hangzhou.siteId));
    await expect.poll(() => drawnState(page, 'SZ-GY-01')).toBe(slotOf(history.suzhou.siteId));
    await expect.poll(() => drawnColour(page, 'HZ-XH-01')).toBe(ENERGY_PALETTE[slotOf(history.hangzhou.siteId)]);

    // The site card: the site's own kWh of yesterday, and its health beside it.
    const search = page.getByRole('searchbox', { name: 'Find a site by name or code' });
    await search.fill('HZ-XH-01');
    await page.getByRole('option', { name: /Hangzhou West Lake/ }).click();
    const card = page.getByTestId('site-card');
    await expect(card.getByTestId('site-card-state')).toHaveText(`${kwhNumber(hangzhou.lastDayKwh, 'en')} kWh yesterday`);
    await expect(card.getByTestId('site-card-health')).toBeVisible();
    await page.evaluate(() => (window as unknown as { edgecabMap: { map: { setView(at: [number, number], zoom: number): void } } }).edgecabMap.map.setView([30.78, 120.43], 8));
    await page.screenshot({ path: `${SCREENSHOT_DIR}/map-energy-en.png` });
    await search.fill(lab.code);
    await page.getByRole('option', { name: new RegExp(lab.code) }).click();
    await expect(card.getByTestId('site-card-state')).toHaveText('No energy recorded yesterday');
    await expect.poll(() => drawnState(page, lab.code)).toBe('unknown');

    // Chinese.
    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(page.getByRole('combobox', { name: '着色依据' }).getByRole('option')).toHaveText(['健康状态', '每日能耗', '固件合规']);
    await expect(legend.getByTestId('legend-energy')).toHaveText('昨天各站点的用电量');
    await expect(legend.getByTestId('legend-energy-1')).toHaveText(new RegExp(`^低于 ${kwh(steps[0]!)} kWh \\d+$`));
    await expect(legend.getByTestId('legend-energy-4')).toHaveText(new RegExp(`^${kwh(steps[2]!)} kWh 及以上 \\d+$`));
    await expect(legend.getByTestId('legend-energy-none')).toHaveText('无数据 1');
    await expect(card.getByTestId('site-card-state')).toHaveText('昨天没有能耗记录');
    await page.getByRole('searchbox', { name: '按名称或编码查找站点' }).fill('HZ-XH-01');
    await page.getByRole('option', { name: /Hangzhou West Lake/ }).click();
    await expect(card.getByTestId('site-card-state')).toHaveText(`昨天 ${kwhNumber(hangzhou.lastDayKwh, 'zh-CN')} kWh`);
    await page.evaluate(() => (window as unknown as { edgecabMap: { map: { setView(at: [number, number], zoom: number): void } } }).edgecabMap.map.setView([30.78, 120.43], 8));
    await page.screenshot({ path: `${SCREENSHOT_DIR}/map-energy-zh-CN.png` });
    await page.getByLabel('语言').selectOption('en');

    // Back to health: the health legend and colours, the address without the choice.
    await colourBy.selectOption('health');
    expect(new URL(page.url()).hash).toBe('#/map');
    await expect(legend.getByTestId('legend-energy')).toHaveCount(0);
    await expect(legend.getByTestId('legend-ok')).toBeVisible();
    await expect(card.getByTestId('site-card-health')).toHaveCount(0);
    await expect.poll(() => drawnColour(page, 'HZ-XH-01')).not.toBe(ENERGY_PALETTE[slotOf(history.hangzhou.siteId)]);
  });
});

interface DrawnSite {
  hit: { kind: 'site' | 'cluster'; site?: [string, string, string, number, number, number | null, string, string | null] };
}

/** The palette slot the map draws a site with, once it is on screen on its own (the layer redraws in batches). */
async function drawnState(page: Page, code: string): Promise<string | undefined> {
  const drawn = await page.evaluate(() => {
    const handle = (window as unknown as { edgecabMap?: { layer: { drawnItems(): { hit: unknown }[] } } }).edgecabMap;
    return (handle?.layer.drawnItems() ?? []).map((item) => ({ hit: item.hit })) as DrawnSite[];
  });
  return drawn.find((item) => item.hit.site?.[1] === code)?.hit.site?.[6];
}

/** The colour of the canvas at the centre of a site's marker, as #rrggbb. */
async function drawnColour(page: Page, code: string): Promise<string | null> {
  return page.evaluate((wanted) => {
    const handle = (window as unknown as { edgecabMap?: { layer: { drawnItems(): { x: number; y: number; hit: { site?: [string, string] } }[] } } }).edgecabMap;
    const item = handle?.layer.drawnItems().find((each) => each.hit.site?.[1] === wanted);
    const canvas = document.querySelector<HTMLCanvasElement>('canvas.sites-layer');
    if (!item || !canvas) return null;
    // The canvas sits in the map pane, moved by the pan; the drawn points are in map-container pixels.
    const container = canvas.closest('.leaflet-container')!.getBoundingClientRect();
    const box = canvas.getBoundingClientRect();
    const scale = canvas.width / box.width;
    const x = Math.round((item.x + container.left - box.left) * scale);
    const y = Math.round((item.y + container.top - box.top) * scale);
    const [red, green, blue] = canvas.getContext('2d')!.getImageData(x, y, 1, 1).data;
    return `#${[red, green, blue].map((part) => part!.toString(16).padStart(2, '0')).join('')}`;
  }, code);
}
