import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LabEnvironmentMonitor } from '../../main/lab/snmp/devices.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { solidPng, writeMbtiles } from '../support/mbtiles.js';
import { writePmtiles } from '../support/pmtiles.js';
import { freeUdpPort } from '../support/snmp-peers.js';
import { api, apiPost, expect, SCREENSHOT_DIR, test } from './fixtures.js';

test.use({ serverName: 'map' });

interface DrawnItem {
  x: number;
  y: number;
  hit: { kind: 'site' | 'cluster'; worst?: string; counts?: Record<string, number>; site?: [string, string, string, number, number, number | null, string, string | null] };
}

const drawn = (page: import('@playwright/test').Page) =>
  page.evaluate(() => {
    const handle = (window as unknown as { edgecabMap?: { layer: { drawnItems(): { x: number; y: number; hit: unknown }[] } } }).edgecabMap;
    return (handle?.layer.drawnItems() ?? []).map((item) => ({ x: item.x, y: item.y, hit: item.hit })) as DrawnItem[];
  });

test.describe('Offline site map', () => {
  let env: LabEnvironmentMonitor;
  test.beforeAll(async () => {
    env = await new LabEnvironmentMonitor({ name: 'env-map', port: await freeUdpPort(), community: 'map-ro' }).start();
  });
  test.afterAll(async () => env?.stop());

  test('the bundled basemap draws with no network, and a critical site is never hidden in a cluster', async ({ page, edgecab }) => {
    const blocked: string[] = [];
    page.on('requestfailed', (request) => blocked.push(request.url()));
    // Thirty sites around Wuhan; one of them will go critical.
    const ids: string[] = [];
    for (let index = 0; index < 30; index += 1) {
      const response = await apiPost(edgecab.url, '/sites', { name: `Wuhan ${index}`, code: `WH-${index}`, latitude: 30.5 + (index % 6) * 0.05, longitude: 114.3 + Math.floor(index / 6) * 0.05 });
      ids.push(((await response.json()) as { id: string }).id);
    }
    const critical = ids[7]!;
    await apiPost(edgecab.url, `/sites/${critical}/cabinet`, { siteId: critical, templateId: 'edge-12u' });
    const cabinet = (await (await api(edgecab.url, `/sites/${critical}/cabinet`)).json()) as { devices: { id: string; slotId: string }[] };
    const envDevice = cabinet.devices.find((device) => device.slotId === 'env')!;
    await api(edgecab.url, `/devices/${envDevice.id}/connection`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: envDevice.id, protocol: 'snmp', host: '127.0.0.1', port: env.port, version: '2c', community: 'map-ro' }),
    });
    await env.setContact('smoke', true);
    await apiPost(edgecab.url, `/devices/${envDevice.id}/refresh`, { id: envDevice.id });

    // One site sits in a city region below a province: filtering by the province keeps it.
    const province = (await (await apiPost(edgecab.url, '/regions', { name: 'Hubei' })).json()) as { id: number };
    const city = (await (await apiPost(edgecab.url, '/regions', { name: 'Wuhan', parentId: province.id })).json()) as { id: number };
    await api(edgecab.url, `/sites/${ids[3]}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ regionId: city.id }) });

    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Map' })).toBeVisible();
    await expect(page.getByTestId('map-count')).toHaveText('30 sites');
    // A site created elsewhere appears live: counted and searchable without a reload.
    // Far enough from the others that it never joins their cluster, whatever zoom the map picked.
    await apiPost(edgecab.url, '/sites', { name: 'Wuhan live', code: 'WH-LIVE', latitude: 31.9, longitude: 112.1 });
    await expect(page.getByTestId('map-count')).toHaveText('31 sites');
    await page.getByRole('searchbox', { name: 'Find a site by name or code' }).fill('WH-LIVE');
    await expect(page.getByRole('option', { name: /Wuhan live/ })).toBeVisible();
    await page.getByRole('searchbox', { name: 'Find a site by name or code' }).fill('');
    // The basemap canvas has land drawn on it.
    // The basemap's geometry loads on its own, so its first drawing may come a moment after the page.
    const inked = () =>
      page.evaluate(() => {
        const canvas = document.querySelector<HTMLCanvasElement>('canvas.world-basemap');
        if (!canvas) return 0;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let count = 0;
        for (let index = 3; index < data.length; index += 4) if (data[index]! > 0) count += 1;
        return count;
      });
    await expect.poll(inked).toBeGreaterThan(10_000);

    await expect.poll(async () => (await drawn(page)).length).toBeGreaterThan(0);
    const clusters = (await drawn(page)).filter((item) => item.hit.kind === 'cluster');
    expect(clusters).toHaveLength(1);
    expect(clusters[0]!.hit.worst).toBe('critical');
    // The live site joins the cluster or not depending on the zoom the map fitted; the critical one is never lost in it.
    expect(clusters[0]!.hit.counts).toMatchObject({ critical: 1 });
    expect([29, 30]).toContain(clusters[0]!.hit.counts!.unknown);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/map-cluster-en.png` });
    const box = (await page.getByTestId('map').boundingBox())!;
    await page.mouse.click(box.x + clusters[0]!.x, box.y + clusters[0]!.y);
    await expect(page.getByTestId('cluster-counts')).toContainText('Critical: 1');

    // The region filter keeps the sites of a region and of the regions below it.
    await page.getByRole('combobox', { name: 'Region', exact: true }).selectOption({ label: 'Hubei' });
    await expect.poll(async () => (await drawn(page)).map((item) => item.hit.site?.[1] ?? item.hit.kind)).toEqual(['WH-3']);
    await page.getByRole('combobox', { name: 'Region', exact: true }).selectOption('');
    await expect.poll(async () => (await drawn(page)).filter((item) => item.hit.kind === 'cluster').length).toBe(1);

    // Problems only leaves just the critical site.
    await page.getByLabel('Problems only').check();
    await expect.poll(async () => (await drawn(page)).map((item) => item.hit.kind)).toEqual(['site']);
    await page.getByLabel('Problems only').uncheck();

    // Search flies to a site; clicking it opens its card, and the card leads to the cabinet.
    await page.getByRole('searchbox', { name: 'Find a site by name or code' }).fill('WH-7');
    await page.getByRole('option', { name: /Wuhan 7/ }).click();
    await expect(page.getByTestId('site-card')).toContainText('Wuhan 7');
    await page.getByTestId('site-card').getByRole('button', { name: 'Close' }).click();
    await expect.poll(async () => (await drawn(page)).some((item) => item.hit.site?.[1] === 'WH-7'), { timeout: 10_000 }).toBe(true);
    const target = (await drawn(page)).find((item) => item.hit.site?.[1] === 'WH-7')!;
    await page.mouse.click(box.x + target.x, box.y + target.y);
    await expect(page.getByTestId('site-card-state')).toHaveText('Critical');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/map-site-card-en.png` });
    // The same card in Chinese, then back to English for the rest.
    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(page.getByTestId('site-card-state')).toHaveText('严重');
    await expect(page.getByTestId('site-card').getByRole('button', { name: '打开机柜' })).toBeVisible();
    await expect(page.getByLabel('只看有问题的')).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/map-site-card-zh.png` });
    await page.getByLabel('语言').selectOption('en');
    await expect(page.getByTestId('site-card-state')).toHaveText('Critical');
    // Dragging the marker asks before the site moves.
    await page.mouse.move(box.x + target.x, box.y + target.y);
    await page.mouse.down();
    await page.mouse.move(box.x + target.x + 40, box.y + target.y + 30, { steps: 5 });
    await page.mouse.move(box.x + target.x + 80, box.y + target.y + 60, { steps: 5 });
    await page.mouse.up();
    const confirm = page.getByRole('dialog', { name: 'Move on map' });
    await expect(confirm).toContainText('Move Wuhan 7 to');
    await confirm.getByRole('button', { name: 'Confirm' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Wuhan 7 moved.' })).toBeVisible();
    const moved = (await (await api(edgecab.url, `/sites/${critical}`)).json()) as { latitude: number; longitude: number };
    expect(moved.latitude).toBeLessThan(30.5 + (7 % 6) * 0.05);
    expect(moved.longitude).toBeGreaterThan(114.3 + Math.floor(7 / 6) * 0.05);

    // Live: the smoke alarm clears and the device is read again; the open map follows without a reload.
    const loadsBefore = await page.evaluate(() => performance.getEntriesByType('resource').filter((entry) => new URL(entry.name).pathname.endsWith('/map/sites')).length);
    await env.setContact('smoke', false);
    await apiPost(edgecab.url, `/devices/${envDevice.id}/refresh`, { id: envDevice.id });
    await expect.poll(async () => (await drawn(page)).find((item) => item.hit.site?.[1] === 'WH-7')?.hit.site?.[6], { timeout: 10_000 }).toBe('ok');
    await expect(page.getByTestId('site-card-state')).toHaveText('OK');
    const loadsAfter = await page.evaluate(() => performance.getEntriesByType('resource').filter((entry) => new URL(entry.name).pathname.endsWith('/map/sites')).length);
    expect(loadsAfter).toBe(loadsBefore);
    await page.getByRole('button', { name: 'Open cabinet' }).click();
    await expect(page.getByTestId('rack-front')).toBeVisible();
    expect(blocked.filter((url) => !url.startsWith(edgecab.url))).toEqual([]);
  });

  test('an MBTiles file is imported and its tiles are drawn from the app itself', async ({ page, edgecab }, testInfo) => {
    const online = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(solidPng(40, 120, 200)));
    await new Promise<void>((listening) => online.listen(0, '127.0.0.1', listening));
    const onlinePort = (online.address() as AddressInfo).port;
    mkdirSync(testInfo.outputDir, { recursive: true });
    const file = join(testInfo.outputDir, 'branch-basemap.mbtiles');
    const count = writeMbtiles(file, 4, 'Branch basemap');
    const tileResponses: number[] = [];
    page.on('response', (response) => {
      if (response.url().includes('/tiles/')) tileResponses.push(response.status());
    });
    await page.goto('/#/map');
    await page.getByTestId('tiles-file').setInputFiles(file);
    await expect(page.getByRole('status').filter({ hasText: `Imported Branch basemap: ${count} tiles` })).toBeVisible();
    await expect(page.getByLabel('Basemap')).toHaveValue(/[0-9a-f-]{36}/);
    await expect(page.locator('img.leaflet-tile-loaded').first()).toBeVisible();
    expect(tileResponses.filter((status) => status === 200).length).toBeGreaterThan(0);
    // Let the fit-to-bounds animation settle so the screenshot shows the tiles, not a transition.
    await page.waitForTimeout(600);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/map-mbtiles-en.png` });

    // An "online" source on loopback (a tile server of the test's own; EdgeCab's own tile routes need a session it does not have): tiles come through the offline cache.
    await page.getByRole('button', { name: 'Online tiles…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Online tile source' });
    await dialog.getByLabel('Tile address').fill('no placeholders');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog.getByRole('alert')).toBeVisible();
    await dialog.getByLabel('Tile address').fill(`http://127.0.0.1:${onlinePort}/{z}/{x}/{y}.png`);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByLabel('Basemap')).toHaveValue('online');
    await expect.poll(() => tileResponses.length).toBeGreaterThan(0);
    await expect(page.locator('img.leaflet-tile-loaded[src*="/tiles/online/"]').first()).toBeVisible();

    // Marked GCJ-02, the source moves markers onto its shifted map; the stored coordinates stay WGS-84.
    // Tiananmen: GCJ-02 puts it about 0.0062° east and 0.0014° north, some 290 and 85 pixels at zoom 16.
    await apiPost(edgecab.url, '/sites', { name: 'Datum check', code: 'GCJ-1', latitude: 39.90872, longitude: 116.39748 });
    await page.evaluate(() => (window as unknown as { edgecabMap: { map: { setView(center: [number, number], zoom: number, options: object): void } } }).edgecabMap.map.setView([39.9095, 116.4], 16, { animate: false }));
    const marker = async () => (await drawn(page)).find((item) => item.hit.site?.[1] === 'GCJ-1');
    await expect.poll(marker, { timeout: 10_000 }).toBeTruthy();
    const before = (await marker())!;
    await page.getByRole('button', { name: 'Online tiles…' }).click();
    await dialog.getByLabel('Tile datum').selectOption('gcj02');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toBeHidden();
    await expect.poll(async () => Math.round(((await marker())?.x ?? before.x) - before.x)).toBeGreaterThan(250);
    const after = (await marker())!;
    expect(after.x - before.x).toBeLessThan(330);
    expect(before.y - after.y).toBeGreaterThan(60);
    expect(before.y - after.y).toBeLessThan(110);

    // Search flies to the marker where this basemap draws it, not to the unshifted point ~300 m away.
    await page.evaluate(() => (window as unknown as { edgecabMap: { map: { setView(center: [number, number], zoom: number, options: object): void } } }).edgecabMap.map.setView([39.8, 116.2], 12, { animate: false }));
    await page.getByRole('searchbox', { name: 'Find a site by name or code' }).fill('GCJ-1');
    await page.getByRole('option', { name: /Datum check/ }).click();
    const size = await page.evaluate(() => (window as unknown as { edgecabMap: { map: { getSize(): { x: number; y: number } } } }).edgecabMap.map.getSize());
    await expect
      .poll(async () => {
        const found = await marker();
        return found ? Math.round(Math.hypot(found.x - size.x / 2, found.y - size.y / 2)) : 9999;
      }, { timeout: 10_000 })
      .toBeLessThan(12);
    online.close();
  });

  test('a vector PMTiles archive is imported and drawn in the browser', async ({ page }, testInfo) => {
    mkdirSync(testInfo.outputDir, { recursive: true });
    const file = join(testInfo.outputDir, 'vector.pmtiles');
    const count = writePmtiles(file, 3, 'mvt', 'Vector basemap');
    await page.goto('/#/map');
    await page.getByTestId('tiles-file').setInputFiles(file);
    await expect(page.getByRole('status').filter({ hasText: `Imported Vector basemap: ${count} tiles` })).toBeVisible();
    // The vector layer paints the "earth" polygon of each tile on canvas tiles.
    await expect
      .poll(() =>
        page.evaluate(() => {
          const tiles = Array.from(document.querySelectorAll<HTMLCanvasElement>('.leaflet-tile-pane canvas.leaflet-tile'));
          return tiles.some((canvas) => {
            const context = canvas.getContext('2d');
            if (!context || canvas.width === 0) return false;
            const [r, g, b, a] = context.getImageData(Math.floor(canvas.width / 2), Math.floor(canvas.height / 2), 1, 1).data;
            return a === 255 && r === 0xf3 && g === 0xf1 && b === 0xe8;
          });
        }),
      )
      .toBe(true);
    await page.waitForTimeout(400);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/map-pmtiles-vector-en.png` });
  });

  test('a new site is placed by clicking the map; the form checks the coordinates', async ({ page }) => {
    await page.goto('/#/map');
    await page.getByRole('button', { name: 'Place a new site' }).click();
    const box = (await page.getByTestId('map').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const dialog = page.getByRole('dialog', { name: 'New site' });
    await expect(dialog.getByLabel('Latitude')).not.toHaveValue('');
    await dialog.getByLabel('Name').fill('Placed on the map');
    await dialog.getByLabel('Code').fill('MAP-1');
    await dialog.getByLabel('Latitude').fill('95');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog.locator('#site-latitude-error')).toBeVisible();
    await dialog.getByLabel('Latitude').fill('31.2');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Site MAP-1 created' })).toBeVisible();
  });
});
