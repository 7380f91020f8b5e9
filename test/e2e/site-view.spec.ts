import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { LabEnvironmentMonitor, LabUps } from '../../main/lab/snmp/devices.js';
import { MOCKUPS_DIR } from '../support/redfish.js';
import { freeUdpPort } from '../support/snmp-peers.js';
import { apiPost, expect, SCREENSHOT_DIR, test } from './fixtures.js';

test.use({ serverName: 'site-view' });

test.describe('Site view: the cabinet as navigation', () => {
  let bmc: LabBmc;
  let env: LabEnvironmentMonitor;
  test.beforeAll(async () => {
    bmc = await new LabBmc({ mockupDir: `${MOCKUPS_DIR}/dmtf-public-rackmount1`, users: { admin: 'Bmc-Lab-7' } }).start();
    env = await new LabEnvironmentMonitor({ name: 'env-07', port: await freeUdpPort(), community: 'site-ro' }).start();
  });
  test.afterAll(async () => {
    await bmc?.stop();
    await env?.stop();
  });

  test('site list → site → rack → server → inventory → restart with confirmation → audit', async ({ page, edgecab }) => {
    await apiPost(edgecab.url, '/sites', { name: 'Wuhan Optics Valley', code: 'HB-WH-07', latitude: 30.5, longitude: 114.4, address: 'Guanggu Ave 7' });
    await page.goto('/#/sites');
    await page.getByTestId('site-row-HB-WH-07').getByRole('link', { name: 'Open' }).click();
    await expect(page.getByRole('heading', { name: 'Wuhan Optics Valley' })).toBeVisible();

    // Each model shows a thumbnail of its layout, front and rear.
    await expect(page.getByTestId('template-edge-12u').getByTestId('rack-rear')).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/site-setup-en.png`, fullPage: true });
    await page.getByTestId('template-edge-42u').getByRole('button', { name: 'Use this model' }).click();
    await expect(page.getByRole('heading', { name: 'Set up the cabinet' })).toBeHidden();
    const front = page.getByTestId('rack-front');
    await expect(front.getByTestId('rack-device-srv1')).toBeVisible();
    await expect(front.getByTestId('rack-device-ups')).toHaveAttribute('data-status', 'unknown');

    // The environment monitor, read over SNMP, fills the cabinet environment panel.
    await page.getByTestId('device-row-env').getByRole('link').click();
    await page.getByLabel('Address').fill('127.0.0.1');
    await page.getByLabel('Port').fill(String(env.port));
    await page.getByLabel('Community').fill('site-ro');
    await page.getByRole('button', { name: 'Save and read' }).click();
    await expect(page.getByTestId('device-status')).toHaveText('OK');
    await expect(page.getByTestId('probe-environment')).toContainText('Closed');
    await env.setContact('door', true);
    await page.getByRole('button', { name: 'Read now' }).click();
    await expect(page.getByTestId('device-status')).toHaveText('Warning');
    await page.getByRole('link', { name: /Wuhan Optics Valley/ }).click();
    await expect(page.getByTestId('env-door')).toContainText('Open');
    await expect(page.getByTestId('env-temperature')).toContainText('°C');
    await page.getByText('Rear', { exact: true }).click();
    await expect(page.getByTestId('rack-rear').getByTestId('rack-device-env')).toHaveAttribute('data-status', 'warning');
    await expect(page.getByTestId('rack-rear').getByTestId('rack-device-env').getByTestId('rack-alarm')).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/site-rack-rear-en.png`, fullPage: true });
    await page.getByText('Front', { exact: true }).click();

    await page.getByTestId('rack-front').getByTestId('rack-device-srv1').click();
    await expect(page.getByRole('heading', { name: 'Compute 1' })).toBeVisible();
    await page.getByLabel('BMC address').fill(bmc.url);
    await page.getByLabel('User').fill('admin');
    await page.getByLabel('Password').fill('Bmc-Lab-7');
    await page.getByRole('button', { name: 'Save and read' }).click();
    const warning = page.getByTestId('redfish-untrusted');
    await expect(warning).toContainText(bmc.fingerprint);
    await warning.getByRole('button', { name: 'Trust this certificate and read' }).click();
    await expect(page.getByTestId('redfish-report')).toContainText('437XR1138R2');
    await expect(page.getByTestId('redfish-parts')).toContainText('Intel');
    await expect(page.getByTestId('redfish-parts')).toContainText('GiB');
    await expect(page.getByTestId('device-age')).toHaveText('Read just now');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/device-server-en.png`, fullPage: true });

    await bmc.resource('/redfish/v1/Systems/437XR1138R2');
    await page.getByRole('button', { name: 'Restart', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'Restart Compute 1?' });
    await expect(confirm).toContainText('Services on this server are interrupted');
    await confirm.getByRole('button', { name: 'Restart' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Restart sent to Compute 1.' })).toBeVisible();
    expect(bmc.resource('/redfish/v1/Systems/437XR1138R2')!.PowerState).toBe('On');

    await page.getByRole('link', { name: 'Audit log' }).click();
    const power = page.getByTestId('audit-table').getByRole('row').filter({ hasText: 'devices.power' });
    await expect(power.first()).toContainText('GracefulRestart');
    await expect(power.first()).toContainText('OK');
    await expect(page.getByTestId('audit-table')).not.toContainText('Bmc-Lab-7');
  });

  test('the rack is keyboard navigable, shows both faces, and reads in Chinese', async ({ page, edgecab }) => {
    const site = (await (await apiPost(edgecab.url, '/sites', { name: 'Shenzhen Bay', code: 'GD-SZ-09', latitude: 22.5, longitude: 113.9 })).json()) as { id: string };
    await apiPost(edgecab.url, `/sites/${site.id}/cabinet`, { siteId: site.id, templateId: 'edge-24u', language: 'zh-CN' });
    await page.goto(`/#/sites/${site.id}`);
    await page.getByText('Front and rear').click();
    await expect(page.getByTestId('rack-rear').getByTestId('rack-device-pdu-a')).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/site-rack-en.png`, fullPage: true });
    await page.getByTestId('rack-front').getByTestId('rack-device-sw1').focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: '交换机' })).toBeVisible();
    await page.goBack();
    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(page.getByRole('heading', { name: '机柜', exact: true })).toBeVisible();
    await expect(page.getByTestId('device-table')).toContainText('计算节点 1');
    await expect(page.getByTestId('device-table')).toContainText('服务器');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/site-rack-zh.png`, fullPage: true });
    await page.getByLabel('语言').selectOption('en');
  });

  test('a UPS is connected over SNMPv3 and read', async ({ page, edgecab }) => {
    const ups = await new LabUps({
      name: 'ups-v3',
      port: await freeUdpPort(),
      community: 'unused-ro',
      users: [{ user: 'cabinet-v3', authProtocol: 'sha256', authKey: 'auth-key-77', privProtocol: 'aes', privKey: 'priv-key-77' }],
    }).start();
    try {
      const site = (await (await apiPost(edgecab.url, '/sites', { name: 'V3 Branch', code: 'V3-01', latitude: 24, longitude: 113 })).json()) as { id: string };
      await apiPost(edgecab.url, `/sites/${site.id}/cabinet`, { siteId: site.id, templateId: 'edge-12u' });
      await page.goto(`/#/sites/${site.id}`);
      await page.getByTestId('device-row-ups').getByRole('link').click();
      await page.getByLabel('Address').fill('127.0.0.1');
      await page.getByLabel('Port').fill(String(ups.port));
      await page.getByLabel('SNMP version').selectOption('3');
      await page.getByLabel('User').fill('cabinet-v3');
      await page.getByLabel('Authentication key (SHA-256)').fill('auth-key-77');
      await page.getByLabel('Encryption key (AES-128)').fill('priv-key-77');
      await page.getByRole('button', { name: 'Save and read' }).click();
      await expect(page.getByTestId('device-status')).toHaveText('OK');
      await expect(page.getByTestId('probe-ups')).toContainText('Mains');
    } finally {
      await ups.stop();
    }
  });

  test('editing the layout refuses an overlap with the reason', async ({ page, edgecab }) => {
    const site = (await (await apiPost(edgecab.url, '/sites', { name: 'Small Branch', code: 'SB-01', latitude: 23, longitude: 113 })).json()) as { id: string };
    await apiPost(edgecab.url, `/sites/${site.id}/cabinet`, { siteId: site.id, templateId: 'edge-12u' });
    await page.goto(`/#/sites/${site.id}`);
    await page.getByRole('button', { name: 'Edit layout' }).click();
    const form = page.getByRole('form', { name: 'Add a device' });
    await form.getByLabel('Name').fill('NAS');
    await form.getByLabel('Lowest U').fill('4');
    await form.getByRole('button', { name: 'Create' }).click();
    await expect(form.locator('#add-u-error')).toContainText('overlaps Compute 1');
    await form.getByLabel('Lowest U').fill('6');
    await form.getByRole('button', { name: 'Create' }).click();
    await expect(page.getByTestId('device-table')).toContainText('NAS');
    await expect(page.getByTestId('rack-front').getByRole('button', { name: /^NAS/ })).toBeVisible();
  });
});
