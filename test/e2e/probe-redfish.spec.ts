import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { MOCKUPS_DIR } from '../support/redfish.js';
import type { Page } from '@playwright/test';
import { expect, SCREENSHOT_DIR, test } from './fixtures.js';

test.use({ serverName: 'probe-redfish' });

/** Fills the Redfish form in English with the lab BMC's admin and checks the device. */
async function checkBmc(page: Page, url: string): Promise<void> {
  await page.goto('/#/probe');
  await page.getByText('Server (BMC, Redfish)').click();
  await page.getByLabel('BMC address').fill(url);
  await page.getByLabel('User').fill('admin');
  await page.getByLabel('Password').fill('Lab-Admin-1');
  await page.getByRole('button', { name: 'Check device' }).click();
}

test.describe('Check a server BMC over Redfish', () => {
  let bmc: LabBmc;
  test.beforeAll(async () => {
    bmc = await new LabBmc({ mockupDir: `${MOCKUPS_DIR}/dmtf-public-rackmount1`, users: { admin: 'Lab-Admin-1' } }).start();
  });
  test.afterAll(async () => bmc?.stop());

  test('the certificate is shown before it is trusted; a changed one is refused', async ({ page }) => {
    await checkBmc(page, bmc.url);
    const warning = page.getByTestId('redfish-untrusted');
    await expect(warning).toContainText('Check this certificate before trusting it');
    await expect(warning).toContainText(bmc.fingerprint);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/probe-redfish-certificate-en.png`, fullPage: true });

    await warning.getByRole('button', { name: 'Trust this certificate and read' }).click();
    const report = page.getByTestId('redfish-report');
    await expect(report).toContainText('Contoso 3500');
    await expect(report).toContainText('437XR1138R2');
    await expect(page.getByTestId('redfish-power')).toHaveText('On');
    await expect(page.getByTestId('redfish-chassis').first()).toContainText('Power supplies');
    await expect(page.getByTestId('redfish-trusted')).toContainText(bmc.fingerprint);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/probe-redfish-en.png`, fullPage: true });

    bmc.rotateCertificate();
    await page.getByRole('button', { name: 'Check device' }).click();
    await expect(page.getByTestId('probe-failure')).toContainText('The certificate changed since it was trusted');
  });

  test('a wrong password is explained, in Chinese too', async ({ page }) => {
    await page.goto('/#/probe');
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByText('服务器（BMC，Redfish）').click();
    await page.getByLabel('BMC 地址').fill(bmc.url);
    await page.getByLabel('用户').fill('admin');
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: '检测设备' }).click();
    await page.getByTestId('redfish-untrusted').getByRole('button').click();
    await expect(page.getByTestId('probe-failure')).toContainText('用户名或密码被拒绝');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/probe-redfish-zh.png`, fullPage: true });
    await page.getByLabel('语言').selectOption('en');
  });

  test("a Huawei iBMC: the air inlet its Thermal does not give is read from the vendor's OEM data, and the report says so, in Chinese too", async ({ page }) => {
    const huawei = await new LabBmc({ mockupDir: `${MOCKUPS_DIR}/huawei-ibmcclient-json`, users: { admin: 'Lab-Admin-1' } }).start();
    try {
      await checkBmc(page, huawei.url);
      await page.getByTestId('redfish-untrusted').getByRole('button', { name: 'Trust this certificate and read' }).click();
      const report = page.getByTestId('redfish-report');
      await expect(report).toContainText('2288H V5');
      const chassis = page.getByTestId('redfish-chassis').first();
      await expect(chassis).toContainText('Inlet');
      await expect(chassis).toContainText('26 °C');
      await expect(chassis.getByTestId('redfish-oem-filled')).toHaveText("From the vendor's own (OEM) data, as the standard fields were empty: inletCelsius from Oem.Huawei.InletTemperatureCelsius");
      await chassis.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SCREENSHOT_DIR}/probe-redfish-oem-en.png` });
      await page.getByLabel('Language').selectOption('zh-CN');
      await expect(chassis.getByTestId('redfish-oem-filled')).toHaveText('标准字段为空，以下取自厂商自有（OEM）数据：inletCelsius from Oem.Huawei.InletTemperatureCelsius');
      await chassis.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SCREENSHOT_DIR}/probe-redfish-oem-zh.png` });
      await page.getByLabel('语言').selectOption('en');
    } finally {
      await huawei.stop();
    }
  });
});

