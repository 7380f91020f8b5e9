import type { CabinetView } from '../../shared/domain/cabinet.js';
import type { FirmwareView } from '../../shared/domain/firmware.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { api, apiPost, expect, SCREENSHOT_DIR, test } from './fixtures.js';

/**
 * A device's firmware on its page, in a real browser against a real
 * `edgecab serve`: a lab BMC (Redfish over HTTPS, the DMTF rackmount1
 * FirmwareInventory) connected over REST and read with Read now; its BMC
 * firmware upgraded on the BMC itself and read again, so the card shows the
 * new version and what ran before, in English and Chinese.
 */
test.use({ serverName: 'firmware' });

const MOCKUP = 'assets/lab/redfish-rackmount1';
const BMC_FIRMWARE = '/redfish/v1/UpdateService/FirmwareInventory/BMC';

test.describe('Firmware', () => {
  let bmc: LabBmc;
  test.beforeAll(async () => {
    bmc = await new LabBmc({ mockupDir: MOCKUP, host: '127.0.0.1', users: { admin: 'Bmc-Lab-7' } }).start();
  });
  test.afterAll(async () => {
    await bmc?.stop();
  });

  test('a server’s firmware per component on its page, read from its BMC, and what it ran before an upgrade, in English and Chinese', async ({ page, edgecab }) => {
    const url = edgecab.url;
    const site = (await (await apiPost(url, '/sites', { name: 'Wenzhou Harbour', code: 'WZ-FW-01', latitude: 28.0, longitude: 120.7 })).json()) as { id: string };
    const cabinet = (await (await apiPost(url, `/sites/${site.id}/cabinet`, { templateId: 'edge-12u' })).json()) as CabinetView;
    const server = cabinet.devices.find((device) => device.kind === 'server')!;
    expect((await api(url, `/devices/${server.id}/connection`, { method: 'PUT', body: JSON.stringify({ protocol: 'redfish', url: bmc.url, username: 'admin', password: 'Bmc-Lab-7', fingerprint: bmc.fingerprint }) })).status).toBe(200);

    await page.goto(`/#/devices/${server.id}`);
    const card = page.getByTestId('firmware');
    await expect(card.getByRole('heading', { name: 'Firmware', level: 2 })).toBeVisible();
    // Nothing read yet; Read now reads its inventory.
    await expect(card.getByTestId('firmware-never')).toBeVisible();
    const readNow = page.getByRole('button', { name: 'Read now' });
    await readNow.click();
    const before = String(bmc.resource(BMC_FIRMWARE)!.Version);
    const bmcRow = card.getByTestId('firmware-component-redfish:BMC');
    await expect(bmcRow.locator('td').nth(1)).toHaveText(before);
    await expect(bmcRow.locator('td').nth(3)).toHaveText('Redfish firmware inventory');
    const view = (await (await api(url, `/devices/${server.id}/firmware`)).json()) as FirmwareView;
    await expect(card.getByTestId('firmware-components').locator('tbody tr')).toHaveCount(view.components.length);
    expect(view.components.length).toBeGreaterThanOrEqual(3);

    // Upgraded on the BMC itself; read again: the new version now, the old one in the history.
    bmc.resource(BMC_FIRMWARE)!.Version = '2.10.0-edgecab';
    await readNow.click();
    await expect(bmcRow.locator('td').nth(1)).toHaveText('2.10.0-edgecab');
    const history = card.getByTestId('firmware-history');
    await expect(history.locator('tbody tr').filter({ hasText: before })).toHaveCount(1);
    await expect(history.locator('tbody tr').filter({ hasText: '2.10.0-edgecab' })).toContainText('now');
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: `${SCREENSHOT_DIR}/firmware-en.png` });

    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(card.getByRole('heading', { name: '固件', level: 2 })).toBeVisible();
    await expect(bmcRow.locator('td').nth(3)).toHaveText('Redfish 固件清单');
    await expect(history.locator('tbody tr').filter({ hasText: '2.10.0-edgecab' })).toContainText('至今');
    await card.screenshot({ path: `${SCREENSHOT_DIR}/firmware-zh-CN.png` });
    await page.getByLabel('语言').selectOption('en');
  });
});
