import type { Page } from '@playwright/test';
import type { CabinetView } from '../../shared/domain/cabinet.js';
import type { EmergencyPolicyView, PowerLimitView } from '../../shared/domain/energy.js';
import type { LabStatus } from '../../shared/domain/monitoring.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { createRegion, createUser, moveSite, signedInPage } from './auth-helpers.js';
import { api, apiPost, expect, SCREENSHOT_DIR, test } from './fixtures.js';

/**
 * Power limits and the emergency power policy in a real browser against a
 * real `edgecab serve`: servers whose BMCs are lab BMCs started here and
 * connected over REST (one with a Control resource, one that declares no
 * limit at all), each step checked on the BMC's own resources; and a lab
 * cabinet whose UPS goes on battery, so the policy the administrator saved
 * holds its servers and the card shows them.
 */
test.use({ serverName: 'energy-limits' });

const MOCKUP = 'assets/lab/redfish-rackmount1';
const CHASSIS = '/redfish/v1/Chassis/1U';
const CONTROL = `${CHASSIS}/Controls/PowerLimit`;
const POWER = `${CHASSIS}/Power`;
const BMC_USERS = { admin: 'Bmc-Lab-7' };

async function json<T>(url: string, path: string): Promise<T> {
  const response = await api(url, path);
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

/** The app scrolls inside its main area: a taller window shows the whole card. */
async function shootCard(page: Page, testId: string, name: string, height = 1100): Promise<void> {
  await page.setViewportSize({ width: 1360, height });
  const card = page.getByTestId(testId);
  await card.scrollIntoViewIfNeeded();
  await card.screenshot({ path: `${SCREENSHOT_DIR}/${name}.png` });
  await page.setViewportSize({ width: 1360, height: 820 });
}

test.describe('Power limits and the emergency power policy', () => {
  let capped: LabBmc;
  let plain: LabBmc;
  test.beforeAll(async () => {
    capped = await new LabBmc({ mockupDir: MOCKUP, host: '127.0.0.1', users: BMC_USERS }).start();
    plain = await new LabBmc({ mockupDir: MOCKUP, host: '127.0.0.1', users: BMC_USERS }).start();
    // A BMC that does not limit power: no Controls, and its PowerControl has no PowerLimit.
    delete plain.resource(CHASSIS)!.Controls;
    delete (plain.resource(POWER)!.PowerControl as Record<string, unknown>[])[0]!.PowerLimit;
  });
  test.afterAll(async () => {
    await capped?.stop();
    await plain?.stop();
  });

  test('a server’s power limit on its device page: read from the BMC, set, refused outside its bounds, lifted, each as the BMC shows it; a BMC without a limit says so plainly; in English and Chinese', async ({ page, edgecab }) => {
    const url = edgecab.url;
    const control = () => capped.resource(CONTROL)!;
    const site = (await (await apiPost(url, '/sites', { name: 'Ningbo Port', code: 'NB-PL-01', latitude: 29.87, longitude: 121.55 })).json()) as { id: string };
    const cabinet = (await (await apiPost(url, `/sites/${site.id}/cabinet`, { templateId: 'edge-12u' })).json()) as CabinetView;
    const [first, second] = cabinet.devices.filter((device) => device.kind === 'server');
    for (const [device, bmc] of [[first!, capped], [second!, plain]] as const) {
      const connected = await api(url, `/devices/${device.id}/connection`, { method: 'PUT', body: JSON.stringify({ protocol: 'redfish', url: bmc.url, username: 'admin', password: BMC_USERS.admin, fingerprint: bmc.fingerprint }) });
      expect(connected.status).toBe(200);
    }

    // Read from the BMC: its Control holds 500 W within 150–1000 W.
    await page.goto(`/#/devices/${first!.id}`);
    const card = page.getByTestId('power-limit');
    await expect(card.getByRole('heading', { name: 'Power limit', level: 2 })).toBeVisible();
    await expect(card.getByTestId('power-limit-value')).toHaveText('500 W');
    await expect(card.getByTestId('power-limit-range')).toHaveText('150–1,000 W');
    await expect(card.getByTestId('power-limit-via')).toHaveText('Control (the Redfish Control resource)');
    await expect(card.getByTestId('power-limit-drawn')).toHaveText(`${(control().Sensor as { Reading: number }).Reading} W`);
    await expect(card.getByTestId('power-limit-read-at')).toHaveText('Read from the BMC just now');

    // Set 280 W: the answer is the BMC's read-back, and the BMC itself holds it (its reading follows).
    const field = card.getByLabel('New limit (W)');
    await field.fill('280');
    await card.getByRole('button', { name: 'Set limit' }).click();
    await expect(card.getByTestId('power-limit-done')).toHaveText('Read back from the BMC: this server is held to 280 W.');
    await expect(card.getByTestId('power-limit-value')).toHaveText('280 W');
    expect(control()).toMatchObject({ ControlMode: 'Automatic', SetPoint: 280 });
    await expect(card.getByTestId('power-limit-drawn')).toHaveText('280 W');

    // Outside the BMC's bounds: refused at the form, in the user's words, nothing sent.
    await field.fill('5000');
    await card.getByRole('button', { name: 'Set limit' }).click();
    await expect(card.getByTestId('power-limit-refusal')).toHaveText('5,000 W is outside what this BMC allows (150–1,000 W).');
    await expect(card.getByTestId('power-limit-done')).toHaveCount(0);
    expect(control().SetPoint).toBe(280);
    // Outside what EdgeCab takes at all (the contract's 1–100,000 W), and not a number.
    await field.fill('0');
    await card.getByRole('button', { name: 'Set limit' }).click();
    await expect(card.getByTestId('power-limit-refusal')).toHaveText('Enter a limit from 1 to 100,000 W.');
    await field.fill('lots');
    await card.getByRole('button', { name: 'Set limit' }).click();
    await expect(card.getByRole('alert').filter({ hasText: 'Enter the limit in whole watts, e.g. 400.' })).toBeVisible();
    await field.fill('5000');
    await card.getByRole('button', { name: 'Set limit' }).click();
    await expect(card.getByTestId('power-limit-refusal')).toHaveText('5,000 W is outside what this BMC allows (150–1,000 W).');
    await shootCard(page, 'power-limit', 'power-limit-refused-en');

    // Chinese: the card and the BMC's refusal.
    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(card.getByRole('heading', { name: '功率上限', level: 2 })).toBeVisible();
    await expect(card.getByTestId('power-limit-via')).toHaveText('Control（Redfish 的 Control 资源）');
    await card.getByRole('button', { name: '设置上限' }).click();
    await expect(card.getByTestId('power-limit-refusal')).toHaveText('5,000 W 超出了这台 BMC 允许的范围（150–1,000 W）。');
    await shootCard(page, 'power-limit', 'power-limit-refused-zh-CN');
    await page.getByLabel('语言').selectOption('en');

    // Lift: the BMC's Control is disabled, the card reads no limit, Lift is offered no more.
    await card.getByRole('button', { name: 'Lift limit' }).click();
    await expect(card.getByTestId('power-limit-done')).toHaveText('Read back from the BMC: this server has no limit now.');
    await expect(card.getByTestId('power-limit-value')).toHaveText('No limit');
    expect(control().ControlMode).toBe('Disabled');
    await expect(card.getByRole('button', { name: 'Lift limit' })).toBeDisabled();
    // Read again from the BMC: still none, as the BMC has it.
    await card.getByRole('button', { name: 'Read from the BMC' }).click();
    await expect(card.getByTestId('power-limit-done')).toHaveCount(0);
    await expect(card.getByTestId('power-limit-value')).toHaveText('No limit');
    await shootCard(page, 'power-limit', 'power-limit-lifted-en');

    // A BMC that declares no limit: said plainly, not as an error, and no form.
    await page.goto(`/#/devices/${second!.id}`);
    const unsupported = card.getByTestId('power-limit-unsupported');
    await expect(unsupported.getByTestId('power-limit-unsupported-title')).toHaveText('This server’s BMC does not limit power.');
    await expect(unsupported).toContainText('Its PowerControl has no PowerLimit.');
    await expect(unsupported).toContainText('Its power cannot be capped from EdgeCab, and the emergency power policy leaves it as it is.');
    await expect(card.getByRole('alert')).toHaveCount(0);
    await expect(card.getByRole('button', { name: 'Set limit' })).toHaveCount(0);
    expect(((await json<PowerLimitView>(url, `/devices/${second!.id}/power-limit`)).supported)).toBe(false);
    await shootCard(page, 'power-limit', 'power-limit-none-en');
    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(unsupported.getByTestId('power-limit-unsupported-title')).toHaveText('这台服务器的 BMC 不支持功率上限。');
    await expect(unsupported).toContainText('它的 PowerControl 中没有 PowerLimit。');
    await shootCard(page, 'power-limit', 'power-limit-none-zh-CN');
    await page.getByLabel('语言').selectOption('en');

    // The BMC gone from the network: the read says so in the user's words.
    await page.goto(`/#/devices/${first!.id}`);
    await expect(card.getByTestId('power-limit-value')).toHaveText('No limit');
    await capped.stop();
    await card.getByRole('button', { name: 'Read from the BMC' }).click();
    await expect(card.getByTestId('power-limit-read-error')).toHaveText('Could not connect to the BMC. Check that it is on and on the network.');
  });

  test('a site’s emergency power policy in its energy card: saved by an administrator, the servers held while the UPS is on battery with their limits before, the UPS runtime now and with the cap, read-only for a viewer, in English and Chinese', async ({ page, browser, edgecab }) => {
    test.setTimeout(120_000);
    const url = edgecab.url;
    // A lab cabinet: a UPS (SNMP) whose battery can fail over, and lab BMCs whose Control holds 500 W.
    const started = (await (await apiPost(url, '/lab', { sites: 1, seed: 31, templateId: 'edge-12u' })).json()) as { sites: { siteId: string; code: string }[] };
    const siteId = started.sites[0]!.siteId;
    const region = await createRegion(url, 'Policy region');
    await moveSite(url, siteId, region);
    expect((await apiPost(url, `/sites/${siteId}/poll`, {})).status).toBe(200);
    const policyOf = () => json<EmergencyPolicyView>(url, `/sites/${siteId}/energy/policy`);
    const before = await policyOf();
    expect(before).toMatchObject({ enabled: false, capWatts: 300, capped: [] });
    expect(before.runtime).not.toBeNull();

    await page.goto(`/#/sites/${siteId}`);
    const block = page.getByTestId('energy-policy');
    await expect(block.getByRole('heading', { name: 'Emergency power policy' })).toBeVisible();
    const enabled = block.getByLabel('Hold the servers to the cap while the UPS is on battery');
    const cap = block.getByLabel('Cap per server (W)');
    await expect(enabled).not.toBeChecked();
    await expect(cap).toHaveValue('300');
    await expect(block.getByTestId('energy-policy-held')).toContainText('No server is held now.');
    // The UPS's runtime now and with the cap, as the core estimates it.
    const runtimeText = block.getByTestId('energy-policy-runtime-text');
    await expect(runtimeText).toHaveText(/^now [\d.]+ min at [\d,]+ W; with the cap ≈ [\d.]+ min$/);

    // Below what the core takes: refused at the field; then on, at 250 W, saved as the core keeps it.
    await enabled.check();
    await cap.fill('20');
    await block.getByRole('button', { name: 'Save policy' }).click();
    await expect(block.getByRole('alert')).toHaveText('Enter a cap from 50 to 100,000 W.');
    expect((await policyOf()).enabled).toBe(false);
    await cap.fill('250');
    await block.getByRole('button', { name: 'Save policy' }).click();
    await expect(block.getByRole('status')).toHaveText('Policy saved.');
    expect(await policyOf()).toMatchObject({ enabled: true, capWatts: 250 });

    // The UPS goes on battery: at the next poll the policy holds both servers to 250 W; the card shows each with the 500 W it had.
    const servers = ((await json<CabinetView>(url, `/sites/${siteId}/cabinet`)).devices).filter((device) => device.kind === 'server');
    expect((await apiPost(url, '/lab/faults', { siteId, fault: 'ups-on-battery', active: true })).status).toBe(200);
    expect((await apiPost(url, `/sites/${siteId}/poll`, {})).status).toBe(200);
    const held = block.getByTestId('energy-policy-held');
    for (const server of servers) {
      const row = held.getByTestId(`energy-policy-held-${server.id}`);
      await expect(row.locator('td').nth(0)).toHaveText(server.name, { timeout: 30_000 });
      await expect(row.locator('td').nth(1)).toHaveText('500 W');
    }
    const during = await policyOf();
    expect(during.capped.map((each) => [each.deviceId, each.previousWatts]).sort()).toEqual(servers.map((server) => [server.id, 500]).sort());
    for (const server of servers) expect((await json<PowerLimitView>(url, `/devices/${server.id}/power-limit`)).limitWatts).toBe(250);
    const runtime = during.runtime!;
    expect(runtime.minutesWithCap).toBeGreaterThanOrEqual(runtime.minutes);
    await expect(runtimeText).toHaveText(/^now [\d.]+ min at [\d,]+ W; with the cap ≈ [\d.]+ min$/);
    await shootCard(page, 'energy-policy', 'energy-policy-held-en', 1400);

    // Chinese.
    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(block.getByRole('heading', { name: '应急电源策略' })).toBeVisible();
    await expect(block.getByRole('heading', { name: '当前被限制的服务器' })).toBeVisible();
    await expect(runtimeText).toHaveText(/^当前 [\d.]+ 分钟（负载 [\d,]+ W）；限制后约 [\d.]+ 分钟$/);
    await expect(block.getByLabel('UPS 以电池供电时限制服务器功率')).toBeChecked();
    await shootCard(page, 'energy-policy', 'energy-policy-held-zh-CN', 1400);
    await page.getByLabel('语言').selectOption('en');

    // A viewer of the region reads the policy and the servers held, and cannot change it; nor is a server's limit theirs to read or set.
    await createUser(url, 'policy-viewer', 'viewer of the policy 42', [{ role: 'viewer', regionId: region }]);
    const viewer = await signedInPage(browser, url, { name: 'policy-viewer', password: 'viewer of the policy 42' });
    await viewer.page.goto(`/#/sites/${siteId}`);
    const viewerBlock = viewer.page.getByTestId('energy-policy');
    await expect(viewerBlock.getByTestId('energy-policy-state')).toHaveText('On: each server is held to 250 W while the UPS is on battery.');
    await expect(viewerBlock.getByText('Only an administrator of this site’s region can change it.')).toBeVisible();
    await expect(viewerBlock.getByRole('button', { name: 'Save policy' })).toHaveCount(0);
    await expect(viewerBlock.getByTestId('energy-policy-held').locator('tbody tr')).toHaveCount(servers.length);
    await viewer.page.goto(`/#/devices/${servers[0]!.id}`);
    await expect(viewer.page.getByRole('heading', { name: servers[0]!.name, level: 1 })).toBeVisible();
    await expect(viewer.page.getByTestId('power-limit')).toHaveCount(0);
    await viewer.context.close();

    // Mains back: each server set back to its 500 W, none held.
    expect((await apiPost(url, '/lab/faults', { siteId, fault: 'ups-on-battery', active: false })).status).toBe(200);
    expect((await apiPost(url, `/sites/${siteId}/poll`, {})).status).toBe(200);
    await expect(held).toContainText('No server is held now.', { timeout: 30_000 });
    for (const server of servers) expect((await json<PowerLimitView>(url, `/devices/${server.id}/power-limit`)).limitWatts).toBe(500);
  });

  test('standing power caps in a site’s energy card: the site’s cap saved and read back from each BMC, a word that is not watts refused at the field, a cabinet model’s cap holding once the site’s is removed, read-only for a viewer, in English and Chinese', async ({ page, browser, edgecab }) => {
    test.setTimeout(120_000);
    const url = edgecab.url;
    // The lab cabinet of the test before when it ran (one lab per server), else one of its own.
    const status = await json<LabStatus>(url, '/lab');
    const lab = status.running ? status : ((await (await apiPost(url, '/lab', { sites: 1, seed: 47, templateId: 'edge-12u' })).json()) as LabStatus);
    const siteId = lab.sites[0]!.siteId;
    const region = await createRegion(url, 'Caps region');
    await moveSite(url, siteId, region);
    const servers = (await json<CabinetView>(url, `/sites/${siteId}/cabinet`)).devices.filter((device) => device.kind === 'server');
    const limitOf = async (id: string) => (await json<PowerLimitView>(url, `/devices/${id}/power-limit`)).limitWatts;

    await page.goto(`/#/sites/${siteId}`);
    const block = page.getByTestId('energy-caps');
    await expect(block.getByRole('heading', { name: 'Standing power cap' })).toBeVisible();
    for (const server of servers) await expect(block.getByTestId(`energy-caps-state-${server.id}`)).toHaveText('No cap');
    const siteForm = block.getByRole('form', { name: 'Cap for this site (W)' });
    const siteCap = siteForm.getByRole('textbox');
    await siteCap.fill('four hundred');
    await siteForm.getByRole('button', { name: 'Save cap' }).click();
    await expect(siteForm.getByRole('alert')).toHaveText('Enter the cap in whole watts, e.g. 400, or leave it empty.');
    await siteCap.fill('400');
    await siteForm.getByRole('button', { name: 'Save cap' }).click();
    await expect(siteForm.getByRole('status')).toHaveText('Cap saved and applied.');
    for (const server of servers) {
      await expect(block.getByTestId(`energy-caps-state-${server.id}`)).toHaveText('Held to 400 W (read back from the BMC)');
      expect(await limitOf(server.id)).toBe(400);
    }
    await expect(block.getByTestId(`energy-caps-server-${servers[0]!.id}`)).toContainText('400 W · site');
    await shootCard(page, 'energy-caps', 'energy-caps-en', 900);

    // The cabinet model's cap (an administrator of every region's), then the site's removed: the model's holds.
    const modelForm = block.getByRole('form', { name: 'Cap for every “Wall cabinet 12U” cabinet (W)' });
    await modelForm.getByRole('textbox').fill('350');
    await modelForm.getByRole('button', { name: 'Save cap' }).click();
    await expect(modelForm.getByRole('status')).toHaveText('Cap saved and applied.');
    await siteForm.getByRole('button', { name: 'Remove cap' }).click();
    await expect(siteForm.getByRole('status')).toHaveText('Cap removed; each server got back the limit it had before.');
    await expect(siteCap).toHaveValue('');
    for (const server of servers) {
      await expect(block.getByTestId(`energy-caps-state-${server.id}`)).toHaveText('Held to 350 W (read back from the BMC)');
      await expect(block.getByTestId(`energy-caps-server-${server.id}`)).toContainText('350 W · cabinet model');
      expect(await limitOf(server.id)).toBe(350);
    }

    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(block.getByRole('heading', { name: '常态功率封顶' })).toBeVisible();
    await expect(block.getByTestId(`energy-caps-state-${servers[0]!.id}`)).toHaveText('已限制在 350 W（已从 BMC 回读）');
    await expect(block.getByRole('textbox', { name: '所有“12U 壁挂机柜”机柜的封顶值（W）' })).toHaveValue('350');
    await shootCard(page, 'energy-caps', 'energy-caps-zh-CN', 900);
    await page.getByLabel('语言').selectOption('en');

    // A viewer of the region reads the caps and the servers, and changes nothing.
    await createUser(url, 'caps-viewer', 'viewer of the caps 42', [{ role: 'viewer', regionId: region }]);
    const viewer = await signedInPage(browser, url, { name: 'caps-viewer', password: 'viewer of the caps 42' });
    await viewer.page.goto(`/#/sites/${siteId}`);
    const viewerBlock = viewer.page.getByTestId('energy-caps');
    await expect(viewerBlock.getByTestId('energy-caps-site-state')).toHaveText('This site has no cap of its own.');
    await expect(viewerBlock.getByTestId('energy-caps-model-edge-12u')).toHaveText('Every “Wall cabinet 12U” cabinet: 350 W per server.');
    await expect(viewerBlock.getByRole('button', { name: 'Save cap' })).toHaveCount(0);
    await expect(viewerBlock.getByTestId(`energy-caps-state-${servers[0]!.id}`)).toHaveText('Held to 350 W (read back from the BMC)');
    await viewer.context.close();

    // The model's cap removed: each server gets back the 500 W it had before the first cap.
    await modelForm.getByRole('button', { name: 'Remove cap' }).click();
    await expect(modelForm.getByRole('status')).toHaveText('Cap removed; each server got back the limit it had before.');
    for (const server of servers) await expect.poll(() => limitOf(server.id), { timeout: 20_000 }).toBe(500);
  });
});
