import type { Page } from '@playwright/test';
import type { LabStatus } from '../../shared/domain/monitoring.js';
import { apiPost, expect, SCREENSHOT_DIR, test } from './fixtures.js';

test.use({ serverName: 'wiring' });

/** One lab of 42U cabinets for the whole file: the tallest model is the one that must stay readable. */
let labSites: LabStatus['sites'] = [];
test.beforeAll(async ({ edgecab }) => {
  const started = await apiPost(edgecab.url, '/lab', { sites: 2, templateId: 'edge-42u' });
  expect(started.status).toBe(200);
  labSites = ((await started.json()) as LabStatus).sites;
});

async function fault(url: string, siteId: string, name: 'ups-on-battery' | 'port-flapping', active: boolean) {
  expect((await apiPost(url, '/lab/faults', { siteId, fault: name, active })).status).toBe(200);
  // Read the site now rather than wait for the next scheduled poll.
  expect((await apiPost(url, `/sites/${siteId}/poll`, {})).status).toBe(200);
}

/** The shell scrolls inside its main area: a whole-page shot needs a window as tall as the page, with the 42U rack and the wiring beside it. */
async function shoot(page: Page, name: string) {
  await page.setViewportSize({ width: 1360, height: 1900 });
  await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}.png`, fullPage: true });
  // And the diagram alone, at full size, to read its labels.
  await page.getByTestId('wiring').screenshot({ path: `${SCREENSHOT_DIR}/${name}-diagram.png` });
  await page.setViewportSize({ width: 1360, height: 820 });
}

test('the site view draws the power chain and marks a UPS on battery as the cause of its PDU and PSU alarms, in English and Chinese', async ({ page, edgecab }) => {
  test.setTimeout(120_000);
  const site = labSites.find((each) => each.code === 'LAB-001')!.siteId;
  await fault(edgecab.url, site, 'ups-on-battery', true);
  await page.goto(`/#/sites/${site}`);
  const wiring = page.getByTestId('wiring');
  await expect(wiring.getByRole('heading', { name: 'Wiring' })).toBeVisible();

  // The power chain, every cable named as a generalist would say it.
  const power = wiring.getByTestId('wiring-power');
  await expect(power.getByTestId('wire-ups-out-1-pdu-a-in')).toBeVisible();
  await expect(power.getByTestId('wire-pdu-a-outlet-3-srv3-psu-1').locator('title')).toHaveText('UPS output 1 → PDU A outlet 3 → Compute 3 PSU 1');
  await expect(power.getByTestId('wire-pdu-b-outlet-1-srv1-psu-2').locator('title')).toHaveText('UPS output 2 → PDU B outlet 1 → Compute 1 PSU 2');
  await expect(power.getByTestId('wiring-node-pdu-a')).toContainText('Outlet 7');

  // The worst alarm is traced: the UPS is the cause; PDU A's input and the power supplies it feeds are affected.
  await expect(wiring.getByRole('button', { name: /UPS is on battery/ })).toHaveAttribute('aria-pressed', 'true');
  await expect(power.getByTestId('wiring-node-ups')).toHaveAttribute('data-role', 'root');
  await expect(power.getByTestId('wiring-node-ups')).toContainText('Cause');
  await expect(power.getByTestId('wiring-port-pdu-a-in')).toHaveAttribute('data-role', 'symptom');
  for (const server of ['srv1', 'srv2', 'srv3', 'srv4', 'storage']) {
    await expect(power.getByTestId(`wiring-port-${server}-psu-1`)).toHaveAttribute('data-role', 'symptom');
    await expect(power.getByTestId(`wiring-node-${server}`)).toContainText('Affected');
  }
  await expect(power.getByTestId('wire-ups-out-1-pdu-a-in')).toHaveAttribute('data-role', 'path');
  await expect(power.getByTestId('wire-pdu-a-outlet-1-srv1-psu-1')).toHaveAttribute('data-role', 'path');
  // PDU B and the second supplies report nothing: they stay off the path.
  await expect(power.getByTestId('wire-pdu-b-outlet-1-srv1-psu-2')).toHaveAttribute('data-role', 'none');
  await expect(power.getByTestId('wiring-node-pdu-b')).toHaveAttribute('data-role', 'none');
  const why = wiring.getByTestId('wiring-why');
  await expect(why).toContainText('UPS is on battery');
  await expect(why).toContainText('explains 6 more alarms');
  await expect(why.getByTestId('wiring-why-item').filter({ hasText: 'Compute 1' })).toContainText('UPS output 1 → PDU A outlet 1 → Compute 1 PSU 1');
  await expect(why.getByTestId('wiring-why-item').filter({ hasText: 'PDU input voltage' })).toContainText('UPS output 1 → PDU A input');
  await shoot(page, 'wiring-ups-en');

  // A device in the diagram opens its page, as the rack does.
  await power.getByTestId('wiring-node-srv2').click();
  await expect(page.getByRole('heading', { name: 'Compute 2' })).toBeVisible();
  await page.goBack();

  await page.getByLabel('Language').selectOption('zh-CN');
  await expect(wiring.getByRole('heading', { name: '布线' })).toBeVisible();
  await expect(power.getByTestId('wiring-node-ups')).toContainText('根因');
  await expect(why).toContainText('UPS 输出 1 → PDU A 插座 1 → Compute 1 电源模块 1');
  await shoot(page, 'wiring-ups-zh');
  await page.getByLabel('语言').selectOption('en');
  await fault(edgecab.url, site, 'ups-on-battery', false);
});

test('a switch port down is the cause of the NIC alarm at the other end of its cable; choosing an alarm in the list traces it', async ({ page, edgecab }) => {
  test.setTimeout(180_000);
  const site = labSites.find((each) => each.code === 'LAB-002')!.siteId;
  // Both faults at one site: two root alarms to choose between.
  await fault(edgecab.url, site, 'ups-on-battery', true);
  const wiring = page.getByTestId('wiring');
  const network = wiring.getByTestId('wiring-network');
  const quick = { timeout: 5_000 };
  // The lab flaps the port (and the NIC at its other end) down and up every 4 s; a poll reads it in either state.
  // Polling again until both read down also makes them flapping, which holds them active while we look.
  await fault(edgecab.url, site, 'port-flapping', true);
  await expect(async () => {
    expect((await apiPost(edgecab.url, `/sites/${site}/poll`, {})).status).toBe(200);
    await page.goto(`/#/sites/${site}`);
    await page.getByLabel(/^(Language|语言)$/).selectOption('en');
    await expect(network.getByTestId('wire-sw1-port-24-wan-uplink').locator('title')).toHaveText('Switch 1 port 24 → Internet (WAN)');
    await expect(wiring.getByTestId('wiring-alarm-list').getByRole('button')).toHaveCount(2, quick);

    // The UPS has more alarms behind it, so it is traced first; the port is one click away.
    await expect(wiring.getByTestId('wiring-power').getByTestId('wiring-node-ups')).toHaveAttribute('data-role', 'root', quick);
    await wiring.getByRole('button', { name: /Port .* is down/ }).click(quick);
    await expect(wiring.getByRole('button', { name: /Port .* is down/ })).toHaveAttribute('aria-pressed', 'true', quick);
    await expect(wiring.getByTestId('wiring-power').getByTestId('wiring-node-ups')).toHaveAttribute('data-role', 'none', quick);
    await expect(network.getByTestId('wiring-port-sw1-port-1')).toHaveAttribute('data-role', 'root', quick);
    await expect(network.getByTestId('wiring-port-srv1-nic-1')).toHaveAttribute('data-role', 'symptom', quick);
    await expect(network.getByTestId('wiring-port-srv1-nic-2')).toHaveAttribute('data-role', 'none', quick);
    await expect(network.getByTestId('wire-sw1-port-1-srv1-nic-1')).toHaveAttribute('data-role', 'path', quick);
    await expect(network.getByTestId('wire-sw2-port-1-srv1-nic-2')).toHaveAttribute('data-role', 'none', quick);
    await expect(wiring.getByTestId('wiring-why')).toContainText('Switch 1 port 1 → Compute 1 NIC 1', quick);
    await shoot(page, 'wiring-port-en');

    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(wiring.getByTestId('wiring-why')).toContainText('Switch 1 端口 1 → Compute 1 网卡 1', quick);
    await shoot(page, 'wiring-port-zh');
    await page.getByLabel('语言').selectOption('en');
  }).toPass({ timeout: 150_000, intervals: [1_000] });
  await fault(edgecab.url, site, 'port-flapping', false);
  await fault(edgecab.url, site, 'ups-on-battery', false);
});
