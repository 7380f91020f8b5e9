import { readFileSync } from 'node:fs';
import { loadTemplates } from '../../main/core/services/cabinets/templates.js';
import { LabFleet } from '../../main/lab/fleet.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { MOCKUPS_DIR } from '../support/redfish.js';
import { expect, SCREENSHOT_DIR, test } from './fixtures.js';

test.use({ serverName: 'wizard', intake: true });

const BASE = 114;

test.describe('First-boot wizard', () => {
  let fleet: LabFleet;
  test.beforeAll(async () => {
    fleet = await LabFleet.start({ sites: 1, seed: 11, template: loadTemplates().get('edge-12u')!, mockupDir: `${MOCKUPS_DIR}/dmtf-public-rackmount1`, addressBase: BASE });
  });
  test.afterAll(async () => {
    await fleet?.stop();
  });

  test('five steps take a lab cabinet from nothing to handed over; a refused password is retried; the run resumes after a reload', async ({ page }) => {
    const [, srv2] = fleet.sites[0]!.devices.filter((device) => device.lab instanceof LabBmc).map((device) => device.lab as LabBmc);
    await page.goto('/#/wizard');
    await page.getByRole('button', { name: 'Set up a new cabinet' }).click();
    await expect(page.getByRole('heading', { name: 'Step 1 of 5: Site and cabinet' })).toBeVisible();
    await expect(page.getByTestId('wizard-budget')).toContainText('of 2:00:00 used');

    // Step 1: the site, its cabinet model, its place on the map, the management subnet.
    await page.getByLabel('Name').fill('Suzhou Industrial Park branch');
    await page.getByLabel('Code').fill('JS-SZ-SIP');
    await page.getByLabel('Cabinet model').selectOption({ label: 'Wall cabinet 12U' });
    await page.getByLabel('Contact').fill('Zhang Min, 138 0000 0000');
    const picker = page.getByTestId('location-picker');
    const box = (await picker.boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.75, box.y + box.height * 0.45);
    await expect(page.getByLabel('Latitude')).not.toHaveValue('');
    await page.getByLabel('Management subnet').fill(`127.${BASE}.0.0/24`);
    await page.getByRole('button', { name: 'Save and check' }).click();
    await expect(page.getByRole('heading', { name: 'Step 2 of 5: Connect and discover' })).toBeVisible();
    await page.getByRole('button', { name: '1. Site and cabinet' }).click();
    await expect(page.getByTestId('preflight')).toContainText('Network interface');
    await expect(page.getByTestId('preflight')).toContainText('answers on');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/wizard-1-site-en.png`, fullPage: true });
    await page.getByRole('button', { name: '2. Connect and discover' }).click();

    // Step 2: search, match, trust certificates, connect.
    await page.getByLabel('Addresses to search').fill(`127.${BASE}.0.1-127.${BASE}.0.8`);
    await page.getByLabel('Redfish ports').fill('8443');
    await page.getByLabel('SNMP ports').fill('1161');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByText('8 of 8 addresses searched, 6 devices found')).toBeVisible({ timeout: 30_000 });
    const matches = page.getByTestId('slot-matches');
    await expect(matches.getByLabel('Device in Compute 1')).toHaveValue(`127.${BASE}.0.3:8443`);
    await expect(matches.getByLabel('Device in Fan unit')).toHaveValue('');
    await page.getByRole('button', { name: 'Connect these devices' }).click();
    await expect(matches).toContainText('Compare and trust the certificate');
    for (const checkbox of await page.getByRole('checkbox', { name: /I compared the certificate/ }).all()) await checkbox.check();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/wizard-2-discover-en.png`, fullPage: true });
    await page.getByRole('button', { name: 'Connect these devices' }).click();
    await expect(page.getByRole('heading', { name: 'Step 3 of 5: Secure' })).toBeVisible();

    // Closing and reopening resumes where the user was.
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Step 3 of 5: Secure' })).toBeVisible();

    // Step 3: one BMC refuses the new password; the others are secured; the retry succeeds once it is lifted.
    // The site's SNMPv3 user is made by EdgeCab (no keys to type); a user of one's own stays possible.
    srv2!.faults.refusePasswordChange = true;
    await expect(page.getByText(/EdgeCab creates the site's SNMPv3 user on every SNMP device/)).toBeVisible();
    await expect(page.getByLabel('Authentication key')).toHaveCount(0);
    await page.getByRole('button', { name: 'Secure the devices' }).click();
    const secured = page.getByTestId('wizard-items-3');
    await expect(secured.getByRole('row', { name: /Compute 2/ })).toContainText('the BMC refused the new password');
    await expect(secured.getByRole('row', { name: /Compute 1/ })).toContainText('Done');
    await expect(secured.getByRole('row', { name: /Switch/ })).toContainText('site user "edgecab-js-sz-sip"');
    await expect(secured.getByRole('row', { name: /Switch/ })).toContainText('factory communities off');
    await expect(secured.getByRole('row', { name: /Environment monitor/ })).toContainText('Skipped');
    await expect(page.getByTestId('wizard-findings')).toContainText('Environment monitor: no factory SNMPv3 admin user answers');
    await expect(page.getByTestId('wizard-findings')).toContainText('Compute 2: the factory password is still in place');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/wizard-3-secure-en.png`, fullPage: true });
    srv2!.faults.refusePasswordChange = false;
    await page.getByRole('button', { name: 'Retry the 1 that failed' }).click();
    await expect(page.getByRole('heading', { name: 'Step 4 of 5: Configure' })).toBeVisible();

    // Step 4: time, names, events pushed to EdgeCab, baselines.
    await page.getByLabel('NTP servers').fill('ntp1.branch.example, ntp2.branch.example');
    await page.getByLabel('DNS servers').fill('10.0.0.53');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.getByRole('heading', { name: 'Step 5 of 5: Verify and hand over' })).toBeVisible();
    await page.getByRole('button', { name: '4. Configure' }).click();
    // Going back shows what the step was run with.
    await expect(page.getByLabel('NTP servers')).toHaveValue('ntp1.branch.example, ntp2.branch.example');
    await expect(page.getByTestId('wizard-items-4').getByRole('row', { name: /Compute 1 · NTP/ })).toContainText('ntp1.branch.example');
    await expect(page.getByTestId('wizard-items-4').getByRole('row', { name: /Compute 1 · event delivery/ })).toContainText('events pushed to EdgeCab (https://127.0.0.1:');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/wizard-4-configure-en.png`, fullPage: true });
    await page.getByRole('button', { name: '5. Verify and hand over' }).click();

    // Step 5: verify, hand over, report.
    await page.getByRole('button', { name: 'Verify and hand over', exact: true }).click();
    await expect(page.getByTestId('wizard-done')).toContainText('The cabinet is handed over and monitored.');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Acceptance report (HTML)' }).click();
    const html = readFileSync(await (await download).path(), 'utf8');
    expect(html).toContain('Acceptance report — Suzhou Industrial Park branch (JS-SZ-SIP)');
    expect(html).toContain('NTP ntp1.branch.example, ntp2.branch.example');
    const pdf = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Acceptance report (PDF)' }).click();
    expect(readFileSync(await (await pdf).path()).subarray(0, 5).toString()).toBe('%PDF-');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/wizard-5-verify-en.png`, fullPage: true });

    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(page.getByRole('heading', { name: '第 5 步（共 5 步）：验收与交付' })).toBeVisible();
    await expect(page.getByTestId('wizard-items-5').getByRole('row', { name: /Compute 1/ })).toContainText('状态 正常，时钟已同步');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/wizard-5-verify-zh.png`, fullPage: true });
    await page.getByLabel('语言').selectOption('en');
  });
});
