import { LabSwitch, LabUps } from '../../main/lab/snmp/devices.js';
import { freeUdpPort } from '../support/snmp-peers.js';
import { expect, SCREENSHOT_DIR, test } from './fixtures.js';

test.use({ serverName: 'probe' });

test.describe('Check a device over SNMP', () => {
  let ups: LabUps;
  let labSwitch: LabSwitch;
  const v3 = { user: 'branch-v3', authProtocol: 'sha256' as const, authKey: 'auth-secret-1', privProtocol: 'aes' as const, privKey: 'priv-secret-1' };
  test.beforeAll(async () => {
    ups = await new LabUps({ name: 'ups-branch-07', port: await freeUdpPort(), community: 'branch-ro', users: [v3] }).start();
    labSwitch = await new LabSwitch({ name: 'sw-branch-07', port: await freeUdpPort(), community: 'branch-ro', portCount: 12 }).start();
  });
  test.afterAll(async () => {
    await ups?.stop();
    await labSwitch?.stop();
  });

  test('read a UPS with v2c, then the same UPS going on battery', async ({ page }) => {
    await page.goto('/#/probe');
    await page.getByLabel('Address').fill('127.0.0.1');
    await page.getByLabel('Port').fill(String(ups.port));
    await page.getByLabel('Community').fill('branch-ro');
    await page.getByRole('button', { name: 'Check device' }).click();
    const report = page.getByTestId('probe-report');
    await expect(report).toContainText('ups-branch-07');
    await expect(page.getByTestId('probe-ups')).toContainText('Mains');
    await expect(page.getByTestId('probe-ups')).toContainText('100 %');
    await expect(page.getByTestId('probe-ups')).toContainText('Bypass mains221 V · 50 Hz');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/probe-ups-en.png`, fullPage: true });

    await ups.setOnBattery(true);
    await page.getByRole('button', { name: 'Check device' }).click();
    await expect(page.getByTestId('probe-ups')).toContainText('Battery');
    await expect(page.getByTestId('probe-ups')).toContainText('onBattery');
    await ups.setOnBattery(false);
  });

  test('read a switch with SNMPv3 and see a port go down', async ({ page }) => {
    await page.goto('/#/probe');
    await page.getByLabel('Address').fill('127.0.0.1');
    await page.getByLabel('Port').fill(String(labSwitch.port));
    await page.getByLabel('SNMP version').selectOption('3');
    await page.getByLabel('User').fill(v3.user);
    await page.getByLabel('Community');
    // The lab switch has no v3 user: a clear reason, not a crash.
    await page.getByRole('button', { name: 'Check device' }).click();
    await expect(page.getByTestId('probe-failure')).toContainText('does not know this SNMPv3 user');

    await page.getByLabel('SNMP version').selectOption('2c');
    await page.getByLabel('Community').fill('branch-ro');
    await labSwitch.setLink(3, false);
    await page.getByRole('button', { name: 'Check device' }).click();
    const ports = page.getByTestId('probe-interfaces');
    await expect(ports.getByRole('row')).toHaveCount(13);
    await expect(ports.getByRole('row').nth(3)).toContainText('Down');
    await expect(ports.getByRole('row').nth(1)).toContainText('Up');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/probe-switch-en.png`, fullPage: true });
  });

  test('v3 authPriv in Chinese, and a wrong community explained', async ({ page }) => {
    await page.goto('/#/probe');
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByLabel('地址').fill('127.0.0.1');
    await page.getByLabel('端口').fill(String(ups.port));
    await page.getByLabel('SNMP 版本').selectOption('3');
    await page.getByLabel('用户').fill(v3.user);
    await page.getByLabel('认证密钥（可选）').fill(v3.authKey);
    await page.getByLabel('加密密钥（可选）').fill(v3.privKey);
    await page.getByRole('button', { name: '检测设备' }).click();
    await expect(page.getByTestId('probe-ups')).toContainText('市电');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/probe-ups-zh.png`, fullPage: true });

    await page.getByLabel('SNMP 版本').selectOption('2c');
    await page.getByLabel('团体名').fill('wrong-community');
    await page.getByRole('button', { name: '检测设备' }).click();
    await expect(page.getByTestId('probe-failure')).toContainText('没有应答', { timeout: 15_000 });
    await page.getByLabel('语言').selectOption('en');
  });

  test('bad input is refused next to the field', async ({ page }) => {
    await page.goto('/#/probe');
    await page.getByLabel('Address').fill('not a host!');
    await page.getByRole('button', { name: 'Check device' }).click();
    await expect(page.locator('#probe-host-error')).toHaveText('Not in the expected format');
    await expect(page.locator('#probe-community-error')).toBeVisible();
  });
});
