import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CabinetView } from '../../shared/domain/cabinet.js';
import type { RolloutDetail } from '../../shared/domain/rollouts.js';
import type { Site } from '../../shared/domain/site.js';
import { startPodman, type PodmanService } from '../support/podman.js';
import { freeTcpPort } from '../support/ports.js';
import { freeUdpPort } from '../support/snmp-peers.js';
import { pushBusyboxReleaseOverRest } from './busybox-release.js';
import { api, apiPost, expect, SCREENSHOT_DIR, test } from './fixtures.js';

test.use({ serverName: 'map-rollout' });

interface DrawnItem {
  hit: { kind: 'site' | 'cluster'; worst?: string; counts?: Record<string, number>; site?: [string, string, string, number, number, number | null, string, string | null] };
}

const drawn = (page: import('@playwright/test').Page) =>
  page.evaluate(() => {
    const handle = (window as unknown as { edgecabMap?: { layer: { drawnItems(): { hit: unknown }[] } } }).edgecabMap;
    return (handle?.layer.drawnItems() ?? []).map((item) => ({ hit: item.hit })) as DrawnItem[];
  });
/** The colour slot the map draws a site with, once it is on screen on its own (the layer redraws in batches). */
const drawnState = async (page: import('@playwright/test').Page, code: string) => (await drawn(page)).find((item) => item.hit.site?.[1] === code)?.hit.site?.[6];

test.describe('The map coloured by a rollout', () => {
  let engine: PodmanService;
  let dir: string;
  test.afterAll(async () => {
    await engine?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('opened from the rollout, every site takes its part in the rollout live, the legend says what the colours mean, and health comes back with what changed meanwhile, in English and Chinese', async ({ page, edgecab }) => {
    test.setTimeout(180_000);
    engine = await startPodman();
    dir = mkdtempSync(join(tmpdir(), 'edgecab-e2e-map-rollout-'));
    await pushBusyboxReleaseOverRest(edgecab.url, engine, dir, '<h1>coloured on the map</h1>');

    // Three branches near each other (one cluster at the first zoom): two in the rollout, one outside it.
    const sites: Record<string, Site> = {};
    const cabinets: Record<string, CabinetView> = {};
    for (const [index, [code, name, template]] of ([
      ['MR-1', 'Map branch 1', 'edge-42u'],
      ['MR-2', 'Map branch 2', 'edge-42u'],
      ['OUT-3', 'Outside branch', 'edge-12u'],
    ] as const).entries()) {
      sites[code] = (await (await apiPost(edgecab.url, '/sites', { name, code, latitude: 30.5 + index * 0.05, longitude: 114.3 + index * 0.05 })).json()) as Site;
      cabinets[code] = (await (await apiPost(edgecab.url, `/sites/${sites[code].id}/cabinet`, { siteId: sites[code].id, templateId: template })).json()) as CabinetView;
    }
    // Only MR-1 has its engine connected: MR-2 is skipped by the rollout.
    const mr1 = cabinets['MR-1']!;
    const server = mr1.devices.find((device) => device.slotId === 'srv1')!;
    const device = (await (await apiPost(edgecab.url, `/cabinets/${mr1.cabinet.id}/devices`, { cabinetId: mr1.cabinet.id, kind: 'engine', name: 'Podman', u: server.u, heightU: 1, face: 'front', depth: 'full', protocol: 'engine' })).json()) as { id: string };
    expect((await api(edgecab.url, `/devices/${device.id}/engine`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: device.id, protocol: 'engine', url: engine.url }) })).status).toBe(200);

    // Healthy for 10 s before it counts: long enough to see MR-1 in progress on the map first.
    const created = await apiPost(edgecab.url, '/rollouts', { name: 'Web to the map branches', appId: 'branch-web', version: '1.0.0', targets: { q: 'MR-' }, parameters: { HTTP_PORT: await freeTcpPort() }, stableSeconds: 10 });
    expect(created.status).toBe(201);
    const rollout = (await created.json()) as RolloutDetail;

    // From the rollout's progress view to the map, coloured by it.
    await page.goto('/#/rollouts');
    await page.getByTestId(`rollout-${rollout.id}`).getByRole('button', { name: 'Show' }).click();
    await page.getByTestId('rollout-detail').getByRole('link', { name: 'Show on map' }).click();
    await expect(page.getByRole('heading', { name: 'Map', level: 1 })).toBeVisible();
    expect(new URL(page.url()).hash).toBe(`#/map?colour=rollout%3A${rollout.id}`);
    const colourBy = page.getByRole('combobox', { name: 'Colour by' });
    await expect(colourBy).toHaveValue(`rollout:${rollout.id}`);
    await expect(colourBy.getByRole('option')).toHaveText(['Health', 'Energy per day', 'Firmware compliance', 'Rollout: Web to the map branches']);

    // The legend speaks of the rollout; the site outside it and the skipped one are told apart.
    const legend = page.getByTestId('map-legend');
    await expect(legend.getByTestId('legend-rollout')).toContainText('Rollout: Web to the map branches');
    await expect(legend.getByTestId('legend-unknown')).toHaveText('Not in the rollout 1');
    await expect(legend.getByTestId('legend-stale')).toHaveText('Skipped, cancelled or undone 1');
    await expect(legend).not.toContainText('Not read');

    // MR-1 on its way: in progress in its card, then healthy, without a reload.
    await page.getByRole('searchbox', { name: 'Find a site by name or code' }).fill('MR-1');
    await page.getByRole('option', { name: /Map branch 1/ }).click();
    const card = page.getByTestId('site-card');
    await expect(card.getByTestId('site-card-state')).toHaveText(/Queued|Transferring|Starting/, { timeout: 60_000 });
    await expect(legend.getByTestId('legend-warning')).toHaveText('In progress 1');
    await expect.poll(() => drawnState(page, 'MR-1')).toBe('warning');
    await expect(card.getByTestId('site-card-state')).toHaveText('Healthy', { timeout: 120_000 });
    await expect(legend.getByTestId('legend-ok')).toHaveText('Healthy 1');
    await expect(legend.getByTestId('legend-rollout')).toContainText('Completed · ended: each site as it last was');
    await expect(colourBy).toHaveValue(`rollout:${rollout.id}`);
    await expect(card.getByTestId('site-card-health')).toBeVisible();
    await expect.poll(() => drawnState(page, 'MR-1')).toBe('ok');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/map-rollout-site-en.png` });

    // The cluster of the three takes the worst of their rollout colours.
    await card.getByRole('button', { name: 'Close' }).click();
    await page.evaluate(() => (window as unknown as { edgecabMap: { map: { setView(at: [number, number], zoom: number): void } } }).edgecabMap.map.setView([30.55, 114.35], 4));
    await expect.poll(async () => (await drawn(page)).find((item) => item.hit.kind === 'cluster')?.hit.counts, { timeout: 10_000 }).toEqual({ ok: 1, stale: 1, unknown: 1 });
    expect((await drawn(page)).find((item) => item.hit.kind === 'cluster')!.hit.worst).toBe('stale');

    // Health moves meanwhile: OUT-3's environment monitor answers nothing when read; its card shows the rollout's view and the health that came in live.
    const search = page.getByRole('searchbox', { name: 'Find a site by name or code' });
    await search.fill('OUT-3');
    await page.getByRole('option', { name: /Outside branch/ }).click();
    await expect(card.getByTestId('site-card-state')).toHaveText('Not in the rollout');
    await expect(card.getByTestId('site-card-health')).toHaveText('Not read');
    const monitor = cabinets['OUT-3']!.devices.find((each) => each.slotId === 'env')!;
    const connection = await api(edgecab.url, `/devices/${monitor.id}/connection`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: monitor.id, protocol: 'snmp', host: '127.0.0.1', port: await freeUdpPort(), version: '2c', community: 'nobody-home' }),
    });
    expect(connection.status).toBe(200);
    await apiPost(edgecab.url, `/devices/${monitor.id}/refresh`, { id: monitor.id });
    await expect(card.getByTestId('site-card-health')).toHaveText('Unreachable');
    await expect(card.getByTestId('site-card-state')).toHaveText('Not in the rollout');
    await expect(legend.getByTestId('legend-unknown')).toHaveText('Not in the rollout 1');
    await expect(legend.getByTestId('legend-critical')).toHaveText('Failed or rolled back 0');
    await expect.poll(() => drawnState(page, 'OUT-3')).toBe('unknown');

    // The same map in Chinese.
    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(card.getByTestId('site-card-state')).toHaveText('不在此次部署中');
    await expect(card.getByTestId('site-card-health')).toHaveText('无法连接');
    await expect(legend.getByTestId('legend-ok')).toHaveText('健康 1');
    await expect(legend.getByTestId('legend-rollout')).toContainText('批量部署：Web to the map branches · 已完成');
    await expect(page.getByRole('combobox', { name: '着色依据' }).getByRole('option')).toHaveText(['健康状态', '每日能耗', '固件合规', '批量部署：Web to the map branches']);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/map-rollout-outside-zh.png` });
    await page.getByLabel('语言').selectOption('en');

    // Back to health: the health legend, and OUT-3 as the monitor last read it, not as it was when the rollout was chosen.
    await colourBy.selectOption('health');
    expect(new URL(page.url()).hash).toBe('#/map');
    await expect(legend.getByTestId('legend-rollout')).toHaveCount(0);
    await expect(legend.getByTestId('legend-unknown')).toHaveText('Not read');
    await expect(card.getByTestId('site-card-state')).toHaveText('Unreachable');
    await expect(card.getByTestId('site-card-health')).toHaveCount(0);
    await expect.poll(() => drawnState(page, 'OUT-3')).toBe('unreachable');
    await search.fill('MR-1');
    await page.getByRole('option', { name: /Map branch 1/ }).click();
    await expect(card.getByTestId('site-card-state')).toHaveText('Not read');
    await expect.poll(() => drawnState(page, 'MR-1')).toBe('unknown');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/map-rollout-back-to-health-en.png` });
    // The rollout that ended is still offered until the page is left.
    await expect(colourBy.getByRole('option')).toHaveText(['Health', 'Energy per day', 'Firmware compliance', 'Rollout: Web to the map branches']);

    // A cabinet without a workload engine says so on its site page, and offers no deployment.
    await search.fill('OUT-3');
    await page.getByRole('option', { name: /Outside branch/ }).click();
    await card.getByRole('button', { name: 'Open cabinet' }).click();
    const apps = page.getByTestId('site-apps');
    await expect(apps).toContainText('No workload engine is installed in this cabinet');
    await expect(apps.getByRole('form', { name: 'Deploy a release here' })).toHaveCount(0);
  });
});
