import type { CabinetView } from '../../shared/domain/cabinet.js';
import { newPublisherKeys } from '../../main/core/services/apps/signing.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { catalogXml, packageXml2, testPackage } from '../support/firmware-packages.js';
import { api, apiPost, expect, SCREENSHOT_DIR, test } from './fixtures.js';

/**
 * The firmware screen in a real browser against a real `edgecab serve` and
 * a lab BMC (the DMTF rackmount1 "3500", BMC 1.45.455b66-rev4, BIOS P79
 * v1.45): a signed package uploaded with its XML 2.0 description, a
 * tampered image refused with its reason, a vendor catalog (XML 1.0)
 * registering a BIOS package whose image then comes alone; a baseline
 * attached to the site's region; compliance after the device is read —
 * fleet, region, site and device, with the "not compliant" filter — the
 * device page's baseline block, and the map coloured by compliance, in
 * English and Chinese.
 */
test.use({ serverName: 'firmware-repository' });

const MOCKUP = 'assets/lab/redfish-rackmount1';

test.describe('Firmware repository and compliance', () => {
  let bmc: LabBmc;
  test.beforeAll(async () => {
    bmc = await new LabBmc({ mockupDir: MOCKUP, host: '127.0.0.1', users: { admin: 'Bmc-Lab-7' } }).start();
  });
  test.afterAll(async () => {
    await bmc?.stop();
  });

  test('upload, catalog, baseline and compliance down to the device, and the map coloured by it, in English and Chinese', async ({ page, edgecab }) => {
    const url = edgecab.url;
    const publisher = newPublisherKeys();
    expect((await apiPost(url, '/apps/publishers', { name: 'Contoso firmware', publicKey: publisher.publicKey })).status).toBe(201);
    const region = (await (await apiPost(url, '/regions', { name: 'Zhejiang', parentId: null })).json()) as { id: number };
    const site = (await (await apiPost(url, '/sites', { name: 'Shaoxing Textile Park', code: 'SX-FW-01', latitude: 30.0, longitude: 120.6, regionId: region.id })).json()) as { id: string };
    const other = (await (await apiPost(url, '/sites', { name: 'Jiaxing Port', code: 'JX-FW-02', latitude: 30.75, longitude: 120.75, regionId: region.id })).json()) as { id: string };
    const cabinet = (await (await apiPost(url, `/sites/${site.id}/cabinet`, { templateId: 'edge-12u' })).json()) as CabinetView;
    await apiPost(url, `/sites/${other.id}/cabinet`, { templateId: 'edge-12u' });
    const server = cabinet.devices.find((device) => device.kind === 'server')!;
    expect((await api(url, `/devices/${server.id}/connection`, { method: 'PUT', body: JSON.stringify({ protocol: 'redfish', url: bmc.url, username: 'admin', password: 'Bmc-Lab-7', fingerprint: bmc.fingerprint }) })).status).toBe(200);
    expect((await api(url, `/devices/${server.id}/refresh`, { method: 'POST' })).status).toBe(200);

    const bmcPackage = testPackage({ version: '1.46.0', models: ['3500'], privateKeyPem: publisher.privateKey, image: Buffer.alloc(256 * 1024, 7) });
    const bios = testPackage({ component: 'BIOS', version: 'P79 v1.50', models: ['3500'] });

    await page.goto('/#/firmware?tab=repository');
    await expect(page.getByRole('heading', { name: 'Firmware', level: 1 })).toBeVisible();
    const upload = page.getByTestId('firmware-upload');
    // A tampered image (one byte changed): refused with the reason, nothing listed.
    const tampered = Buffer.from(bmcPackage.image);
    tampered[1000] = tampered[1000]! ^ 1;
    await upload.getByLabel('Description (JSON or XML)').setInputFiles({ name: 'bmc-1.46.0.xml', mimeType: 'application/xml', buffer: Buffer.from(packageXml2(bmcPackage.description)) });
    await upload.getByLabel('Image').setInputFiles({ name: 'bmc-1.46.0.bin', mimeType: 'application/octet-stream', buffer: tampered });
    await upload.getByRole('button', { name: 'Upload' }).click();
    await expect(upload.getByTestId('firmware-upload-error')).toContainText('SHA-256');
    await expect(upload.getByTestId('firmware-upload-error')).toContainText('nothing was kept');
    await expect(page.getByText('The repository holds no package yet.')).toBeVisible();
    // The real one.
    await upload.getByLabel('Description (JSON or XML)').setInputFiles({ name: 'bmc-1.46.0.xml', mimeType: 'application/xml', buffer: Buffer.from(packageXml2(bmcPackage.description)) });
    await upload.getByLabel('Image').setInputFiles({ name: 'bmc-1.46.0.bin', mimeType: 'application/octet-stream', buffer: bmcPackage.image });
    await upload.getByRole('button', { name: 'Upload' }).click();
    await expect(upload.getByTestId('firmware-upload-result')).toHaveText('Contoso BMC 1.46.0 is in the repository.');
    // A catalog (schema 1.0) registers the BIOS package; its image comes alone afterwards.
    const catalog = page.getByTestId('firmware-catalog');
    await catalog.getByLabel('Catalog (XML)').setInputFiles({ name: 'contoso-catalog.xml', mimeType: 'application/xml', buffer: Buffer.from(catalogXml('1.0', [bios.description, bmcPackage.description])) });
    await catalog.getByRole('button', { name: 'Import' }).click();
    await expect(catalog.getByTestId('firmware-catalog-result')).toContainText('1 package(s) registered, 1 already known');
    const packages = page.getByTestId('firmware-packages');
    await expect(packages.locator('tbody tr').filter({ hasText: 'BIOS' })).toContainText('Awaited: upload it');
    await upload.getByLabel('Image').setInputFiles({ name: 'bios.bin', mimeType: 'application/octet-stream', buffer: bios.image });
    await upload.getByRole('button', { name: 'Upload' }).click();
    await expect(upload.getByTestId('firmware-upload-result')).toHaveText('Contoso BIOS P79 v1.50 is in the repository.');
    await expect(packages.locator('tbody tr').filter({ hasText: 'BIOS' })).toContainText('Stored');
    await expect(packages.locator('tbody tr').filter({ hasText: '1.46.0' })).toContainText('Contoso firmware');
    await expect(packages.locator('tbody tr').filter({ hasText: 'BIOS' })).toContainText('Not signed');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/firmware-repository-en.png`, fullPage: true });

    // A baseline of both, for the region.
    await page.getByRole('tab', { name: 'Baselines' }).click();
    await page.getByRole('button', { name: 'New baseline' }).click();
    const form = page.getByTestId('firmware-baseline-form');
    await form.getByLabel('Name').fill('Contoso 3500, winter 2026');
    await form.getByRole('checkbox', { name: /BMC 1\.46\.0/ }).check();
    await form.getByRole('checkbox', { name: /BIOS P79 v1\.50/ }).check();
    await form.getByLabel('Kind').selectOption('region');
    await form.getByLabel('Target').selectOption({ label: 'Zhejiang' });
    await form.getByRole('button', { name: 'Add' }).click();
    await expect(form.getByText('Region: Zhejiang')).toBeVisible();
    await form.getByRole('button', { name: 'Save baseline' }).click();
    await expect(page.getByText('Baseline “Contoso 3500, winter 2026” saved.')).toBeVisible();
    await expect(page.getByTestId('firmware-baseline-list')).toContainText('Region: Zhejiang');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/firmware-baselines-en.png`, fullPage: true });

    // Compliance: the server is behind on both. The other site's server was never read: its model is the layout's ("1U server"), which no package lists, so no baseline covers it.
    await page.getByRole('tab', { name: 'Compliance' }).click();
    const fleet = page.getByTestId('firmware-fleet-counts');
    await expect(fleet.locator('[data-state="behind"] strong')).toHaveText('1');
    await expect(page.getByTestId(`firmware-region-${region.id}`)).toContainText('1 Behind');
    const sites = page.getByTestId('firmware-sites');
    await expect(sites.locator('tbody tr')).toHaveCount(2);
    await page.getByLabel('Only sites not compliant').check();
    await expect(sites.locator('tbody tr')).toHaveCount(1);
    await sites.getByRole('button', { name: 'Shaoxing Textile Park' }).click();
    const devices = page.getByTestId('firmware-site-devices');
    await expect(devices.getByTestId(`firmware-device-${server.id}-BMC`)).toContainText('1.45.455b66-rev4');
    await expect(devices.getByTestId(`firmware-device-${server.id}-BMC`)).toContainText('Behind');
    await expect(devices.getByTestId(`firmware-device-${server.id}-BIOS`)).toContainText('P79 v1.50');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/firmware-compliance-en.png`, fullPage: true });

    // Upgraded on the BMC and read again: compliant for the BMC at once, no refresh of compliance asked.
    bmc.resource('/redfish/v1/UpdateService/FirmwareInventory/BMC')!.Version = '1.46.0';
    expect((await api(url, `/devices/${server.id}/refresh`, { method: 'POST' })).status).toBe(200);
    await page.goto(`/#/devices/${server.id}`);
    const block = page.getByTestId('firmware-baseline');
    await expect(block).toContainText('Contoso 3500, winter 2026 (by region)');
    await expect(block.getByTestId('firmware-baseline-BMC')).toContainText('Compliant');
    await expect(block.getByTestId('firmware-baseline-BIOS')).toContainText('Behind');

    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(block).toContainText('Contoso 3500, winter 2026（按区域）');
    await expect(block.getByTestId('firmware-baseline-BMC')).toContainText('合规');
    await page.getByTestId('firmware').screenshot({ path: `${SCREENSHOT_DIR}/firmware-device-baseline-zh-CN.png` });
    await page.goto('/#/firmware');
    await expect(page.getByRole('heading', { name: '固件', level: 1 })).toBeVisible();
    await expect(page.getByTestId('firmware-fleet-counts').locator('[data-state="behind"]')).toContainText('落后');
    await page.getByTestId('firmware-sites').getByRole('button', { name: 'Shaoxing Textile Park' }).click();
    await expect(page.getByTestId('firmware-site-devices').getByTestId(`firmware-device-${server.id}-BIOS`)).toContainText('落后');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/firmware-compliance-zh-CN.png`, fullPage: true });

    // The map coloured by compliance: the site behind is a problem, "Problems only" shows it alone.
    await page.getByLabel('语言').selectOption('en');
    await page.goto('/#/map?colour=firmware');
    await expect(page.getByTestId('legend-firmware')).toHaveText('Firmware compliance');
    await expect(page.getByTestId('legend-critical')).toContainText('Behind 1');
    await expect(page.getByTestId('legend-unknown')).toContainText('No baseline 1');
    await page.getByLabel('Problems only').check();
    // The map's canvas, as the map test reads it: only Shaoxing is drawn, in the "behind" slot.
    const drawn = () =>
      page.evaluate(() => {
        const handle = (window as unknown as { edgecabMap?: { layer: { drawnItems(): { hit: { kind: string; site?: unknown[] } }[] } } }).edgecabMap;
        return (handle?.layer.drawnItems() ?? []).map((item) => (item.hit.site ? `${String(item.hit.site[1])}:${String(item.hit.site[6])}` : item.hit.kind));
      });
    await expect.poll(drawn).toEqual(['SX-FW-01:critical']);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/firmware-map-en.png` });
  });
});
