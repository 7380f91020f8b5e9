import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { labIntegrity } from '../support/lab-integrity.js';
import { MOCKUPS_DIR } from '../support/redfish.js';
import { api, apiPost, expect, SCREENSHOT_DIR, test } from './fixtures.js';

test.use({ serverName: 'security' });

test.describe('Security: cabinet identity and integrity', () => {
  let bmc: LabBmc;
  test.beforeAll(async () => {
    // A BMC this test can change behind EdgeCab's back, as a technician at the console would.
    bmc = await new LabBmc({ mockupDir: `${MOCKUPS_DIR}/dmtf-public-rackmount1`, users: { admin: 'Bmc-Lab-7' } }).start();
    labIntegrity.secureBoot(bmc, true);
    labIntegrity.serial(bmc, 'SH-PD-SRV1');
  });
  test.afterAll(async () => {
    await bmc?.stop();
  });

  test('enrol the cabinet, see drift after Secure Boot is turned off and firmware changes, the fleet view, accept, revoke and re-enrol, in English and Chinese', async ({ page, edgecab }) => {
    page.on('dialog', (dialog) => void dialog.accept());
    const url = edgecab.url;
    // A lab cabinet that matches its record, and a site whose server is the BMC above.
    const lab = (await (await apiPost(url, '/lab', { sites: 1, seed: 4, templateId: 'edge-12u' })).json()) as { sites: { siteId: string; code: string }[] };
    const labSite = lab.sites[0]!.siteId;
    const site = (await (await apiPost(url, '/sites', { name: 'Shanghai Pudong', code: 'SH-PD-01', latitude: 31.22, longitude: 121.54 })).json()) as { id: string };
    const cabinet = (await (await apiPost(url, `/sites/${site.id}/cabinet`, { templateId: 'edge-12u' })).json()) as { devices: { id: string; slotId: string }[] };
    const srv1 = cabinet.devices.find((device) => device.slotId === 'srv1')!;
    const connected = await api(url, `/devices/${srv1.id}/connection`, { method: 'PUT', body: JSON.stringify({ protocol: 'redfish', url: bmc.url, username: 'admin', password: 'Bmc-Lab-7', fingerprint: bmc.fingerprint }) });
    expect(connected.status).toBe(200);
    expect((await apiPost(url, `/sites/${labSite}/integrity/check`, {})).status).toBe(200);
    const first = (await (await apiPost(url, `/sites/${site.id}/integrity/check`, {})).json()) as { differences: number; devices: { checkedAt: string | null }[] };
    expect(first.differences).toBe(0);

    // EdgeCab's CA certificate, as sites and clients fetch it to trust identities.
    const ca = await api(url, '/pki/ca');
    expect(ca.headers.get('content-type')).toContain('application/x-pem-file');
    expect(await ca.text()).toMatch(/^-----BEGIN CERTIFICATE-----/);

    await page.goto(`/#/sites/${site.id}`);
    const section = page.getByTestId('security-section');
    await expect(section.getByRole('heading', { name: 'Security' })).toBeVisible();
    const identity = section.getByTestId('identity-card');
    await expect(identity.getByTestId('identity-status')).toHaveText('No valid identity');
    await identity.getByRole('button', { name: 'Enrol' }).click();
    await expect(identity.getByTestId('identity-status')).toHaveText('Valid');
    await expect(identity.getByTestId('identity-expiry')).toContainText(/Expires in 36[45] days/);
    await expect(identity.getByTestId('identity-hardware')).toContainText('SH-PD-SRV1');
    await expect(identity.getByTestId('identity-hardware')).toContainText(bmc.fingerprint);
    await expect(identity.getByTestId('identity-verified')).toHaveText('Not yet confirmed by a poll');
    // A poll of the site in which the BMC presents its pinned certificate confirms the identity.
    await apiPost(url, `/sites/${site.id}/poll`, {});
    await expect(identity.getByTestId('identity-verified')).toHaveText('just now');

    // Behind EdgeCab's back: Secure Boot off, another BMC firmware.
    labIntegrity.secureBoot(bmc, false);
    labIntegrity.firmwareVersion(bmc, 'BMC', '1.46.0-unsigned');
    await section.getByRole('button', { name: 'Check now' }).click();
    const row = section.getByTestId('integrity-row-srv1');
    await expect(row).toContainText('3 differ');
    await expect(row.getByRole('listitem').filter({ hasText: 'SecureBootEnable (437XR1138R2)' })).toContainText('Enabled → Disabled');
    await expect(row.getByRole('listitem').filter({ hasText: 'Version (BMC)' })).toContainText('1.45.455b66-rev4 → 1.46.0-unsigned');
    await expect(section.getByTestId('integrity-summary')).toContainText('1 of 1 devices checked · 3 differences');
    await expect(section.getByTestId('integrity-apps')).toContainText('none deployed');
    // The page scrolls inside its main area: a taller window shows the whole section.
    await page.setViewportSize({ width: 1360, height: 1500 });
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/security-site-en.png` });
    await page.setViewportSize({ width: 1360, height: 820 });
    // Every check, on request: what was read, the recorded value, and whether it matches.
    await row.getByRole('button', { name: 'All checks' }).click();
    await expect(section.getByTestId('integrity-checks-srv1')).toContainText('PCR 1 (SHA256)');
    await row.getByRole('button', { name: 'Hide checks' }).click();

    // The drift alarms are in the alarm console with what was recorded and what is there now.
    await page.getByRole('link', { name: 'Alarms' }).click();
    await expect(page.getByTestId('alarm-row').filter({ hasText: 'Secure Boot of Compute 1 (437XR1138R2) changed: SecureBootEnable is Disabled, recorded Enabled' })).toHaveCount(1);
    await expect(page.getByTestId('alarm-row').filter({ hasText: 'Firmware BMC of Compute 1 is 1.46.0-unsigned, expected 1.45.455b66-rev4' })).toHaveCount(1);

    // The fleet view: the site that differs first, the lab cabinet that matches after it.
    await page.getByRole('link', { name: 'Integrity' }).click();
    const fleet = page.getByTestId('integrity-fleet');
    await expect(fleet.getByRole('row')).toHaveCount(3);
    await expect(fleet.getByRole('row').nth(1)).toContainText('Shanghai Pudong');
    await expect(fleet.getByTestId('integrity-site-SH-PD-01')).toContainText('3 differences on 1 devices');
    await expect(fleet.getByTestId(`integrity-site-${lab.sites[0]!.code}`)).toContainText('None');
    await expect(fleet.getByTestId(`integrity-site-${lab.sites[0]!.code}`)).toContainText('6 of 6');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/security-fleet-en.png`, fullPage: true });

    // Chinese: the same section and fleet view.
    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(page.getByRole('heading', { name: '完整性' })).toBeVisible();
    await expect(fleet.getByTestId('integrity-site-SH-PD-01')).toContainText('1 台设备共 3 处差异');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/security-fleet-zh-CN.png`, fullPage: true });
    await fleet.getByTestId('integrity-site-SH-PD-01').getByRole('link', { name: '打开' }).click();
    await expect(section.getByRole('heading', { name: '安全' })).toBeVisible();
    await expect(identity.getByTestId('identity-status')).toHaveText('有效');
    await expect(section.getByTestId('integrity-row-srv1')).toContainText('3 处差异');
    await expect(section.getByTestId('integrity-row-srv1')).toContainText('安全启动');
    await page.setViewportSize({ width: 1360, height: 1200 });
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/security-site-zh-CN.png` });
    await page.setViewportSize({ width: 1360, height: 820 });
    await page.getByLabel('语言').selectOption('en');

    // Accept: the new state is the record; the differences and drift alarms clear.
    await section.getByTestId('integrity-row-srv1').getByRole('button', { name: 'Accept' }).click();
    await expect(section.getByTestId('integrity-row-srv1')).toContainText('Matches the recorded state');
    await expect(section.getByTestId('integrity-row-srv1')).toContainText('Accepted by e2e-admin');
    const alarms = (await (await api(url, `/alarms?siteId=${site.id}`)).json()) as { alarms: { condition: string }[] };
    expect(alarms.alarms.filter((alarm) => alarm.condition.startsWith('integrity:'))).toEqual([]);

    // Revoke (with a reason), then re-enrol: a new identity, the revoked one kept in the history.
    await identity.getByRole('button', { name: 'Revoke' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke the identity of Shanghai Pudong' });
    await dialog.getByLabel('Reason').fill('Cabinet moved to another branch');
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await expect(identity.getByTestId('identity-status')).toHaveText('No valid identity (revoked)');
    await expect(identity.getByTestId('identity-none')).toContainText('Cabinet moved to another branch');
    await identity.getByRole('button', { name: 'Enrol' }).click();
    await expect(identity.getByTestId('identity-status')).toHaveText('Valid');
    await identity.getByText('Earlier identities').click();
    await expect(identity.getByTestId('identity-history')).toContainText('Revoked');
  });
});
