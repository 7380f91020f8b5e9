import { api, apiPost, expect, SCREENSHOT_DIR, test } from './fixtures.js';
import { createRegion, createSite, createUser, moveSite, signedInPage, withToken } from './auth-helpers.js';

test.use({ serverName: 'auth' });

const VIEWER = { name: 'e2e-viewer-a', password: 'viewer of region A 1' };
const OPERATOR = { name: 'e2e-operator-a', password: 'operator of region A 1' };

interface World {
  regionA: number;
  regionB: number;
  siteA: string;
  siteB: string;
  labSite: string;
  serverDevice: string;
  operatorId: string;
}

/**
 * Regions A and B, a site in each, a lab cabinet moved into A with an
 * active alarm, a viewer and an operator of A; made once for the file.
 */
let world: World;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ edgecab }) => {
  test.setTimeout(120_000);
  const { url } = edgecab;
  const regionA = await createRegion(url, 'Region A');
  const regionB = await createRegion(url, 'Region B');
  const siteA = await createSite(url, { name: 'Alpha branch', code: 'RA-001', regionId: regionA, latitude: 30.5, longitude: 114.3 });
  const siteB = await createSite(url, { name: 'Bravo branch', code: 'RB-001', regionId: regionB, latitude: 23.1, longitude: 113.3 });
  const lab = (await (await apiPost(url, '/lab', { sites: 1, seed: 7, templateId: 'edge-24u', language: 'en' })).json()) as { sites: { siteId: string }[] };
  const labSite = lab.sites[0]!.siteId;
  await moveSite(url, labSite, regionA);
  const cabinet = (await (await api(url, `/sites/${labSite}/cabinet`)).json()) as { devices: { id: string; protocol: string; kind: string }[] };
  const serverDevice = cabinet.devices.find((device) => device.protocol === 'redfish' && device.kind === 'server')!.id;
  // The BMC read (its allowed resets are what the power buttons show) and an active alarm in region A.
  await apiPost(url, `/devices/${serverDevice}/refresh`, { id: serverDevice });
  await apiPost(url, '/lab/faults', { siteId: labSite, fault: 'ups-on-battery', active: true });
  await apiPost(url, `/sites/${labSite}/poll`, { siteId: labSite });
  await expect
    .poll(async () => ((await (await api(url, `/alarms?siteId=${labSite}&state=active`)).json()) as { alarms: unknown[] }).alarms.length, { timeout: 30_000 })
    .toBeGreaterThan(0);
  await createUser(url, VIEWER.name, VIEWER.password, [{ role: 'viewer', regionId: regionA }]);
  const operatorId = await createUser(url, OPERATOR.name, OPERATOR.password, [{ role: 'operator', regionId: regionA }]);
  world = { regionA, regionB, siteA, siteB, labSite, serverDevice, operatorId };
});

test('a viewer of region A sees only region A, and no action their role cannot do', async ({ browser, edgecab }) => {
  const { context, page } = await signedInPage(browser, edgecab.url, VIEWER);
  await expect(page.getByTestId('signed-in-role')).toHaveText('Viewer (some regions)');

  // The map and the sites list count region A's two sites only.
  await expect(page.getByTestId('map-count')).toHaveText('2 sites');
  await expect(page.getByRole('button', { name: 'Place a new site' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Online tiles…' })).toHaveCount(0);

  const nav = page.getByRole('navigation', { name: 'main' });
  for (const hidden of ['Users', 'Audit log', 'Lab', 'Check a device', 'First boot']) await expect(nav.getByRole('link', { name: hidden, exact: true })).toHaveCount(0);
  for (const shown of ['Map', 'Alarms', 'Sites', 'Regions', 'API tokens']) await expect(nav.getByRole('link', { name: shown, exact: true })).toBeVisible();

  await nav.getByRole('link', { name: 'Sites' }).click();
  await expect(page.getByTestId('site-count')).toHaveText('2 sites');
  await expect(page.getByTestId('site-row-RA-001')).toBeVisible();
  await expect(page.getByTestId('site-row-RB-001')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'New site' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Import CSV' })).toHaveCount(0);
  await expect(page.getByTestId('site-row-RA-001').getByRole('button')).toHaveCount(0);
  await expect(page.getByTestId('site-row-RA-001').getByRole('link', { name: 'Open' })).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOT_DIR}/viewer-sites-en.png` });

  // Regions: region A is there, but nothing to add, rename or delete.
  await nav.getByRole('link', { name: 'Regions' }).click();
  await expect(page.getByTestId('region-Region A')).toBeVisible();
  await expect(page.getByTestId('region-Region B')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'New top-level region' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Rename' })).toHaveCount(0);

  // Region B's site does not exist for this viewer; a region A site with no cabinet says who sets it up.
  await page.goto(`/#/sites/${world.siteB}`);
  await expect(page.getByRole('alert')).toContainText('Not found: it does not exist, or it is outside the regions you may see.');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/viewer-site-not-found-en.png` });
  await page.goto(`/#/sites/${world.siteA}`);
  await expect(page.getByText('No cabinet is set up at this site yet.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Use this model' })).toHaveCount(0);

  // The lab cabinet in region A: the rack, but no read, edit, power or connection controls.
  await page.goto(`/#/sites/${world.labSite}`);
  await expect(page.getByTestId('device-table')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Read all devices now' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Edit layout' })).toHaveCount(0);
  await page.goto(`/#/devices/${world.serverDevice}`);
  await expect(page.getByTestId('device-status')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Power', exact: true })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Power on|Restart|Shut down|Force/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Read now' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Change connection' })).toHaveCount(0);
  await page.screenshot({ path: `${SCREENSHOT_DIR}/viewer-device-en.png`, fullPage: true });

  // Alarms: the UPS alarm of region A, without acknowledge, maintenance or forwarding.
  await nav.getByRole('link', { name: 'Alarms' }).click();
  await expect(page.getByTestId('alarm-row').first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Acknowledge', exact: true })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Acknowledge \d+ selected$/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Maintenance' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Forwarding' })).toHaveCount(0);
  await page.screenshot({ path: `${SCREENSHOT_DIR}/viewer-alarms-en.png` });
  await page.getByTestId('alarm-row').first().getByRole('button', { name: /UPS is on battery/ }).click();
  const details = page.getByRole('dialog', { name: 'Details' });
  await expect(details.getByRole('heading', { name: 'History' })).toBeVisible();
  await expect(details.getByRole('button', { name: 'Acknowledge' })).toHaveCount(0);
  await expect(details.getByRole('button', { name: 'Add comment' })).toHaveCount(0);
  await details.getByRole('button', { name: '×' }).click();

  // Screens outside the role, opened by their address, say which role they need.
  await page.goto('/#/users');
  await expect(page.getByTestId('refused')).toHaveText('Your role does not include this screen. It needs the Administrator role on every region.');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/viewer-refused-en.png` });

  // A token of the viewer, made on the tokens screen: it may read region A, not power a server, and region B does not exist for it.
  await page.goto('/#/tokens');
  await expect(page.getByLabel('Scope')).toHaveValue('viewer');
  await expect(page.getByLabel('Scope').locator('option')).toHaveCount(1);
  await page.getByLabel('What uses it').fill('viewer script');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/viewer-tokens-en.png` });
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = await page.getByLabel('The new API token').inputValue();
  expect(token).toMatch(/^ecb_/);
  expect((await withToken(edgecab.url, token, `/sites/${world.siteA}`)).status).toBe(200);
  const power = await withToken(edgecab.url, token, `/devices/${world.serverDevice}/power`, { method: 'POST', body: JSON.stringify({ action: 'On' }) });
  expect(power.status).toBe(403);
  expect(((await power.json()) as { data?: { role?: string } }).data?.role).toBe('operator');
  expect((await withToken(edgecab.url, token, `/sites/${world.siteB}`)).status).toBe(404);

  // In Chinese: the same sites screen, the same hidden actions.
  await page.getByLabel('Language').selectOption('zh-CN');
  await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: '站点', exact: true }).click();
  await expect(page.getByTestId('site-count')).toHaveText('共 2 个站点');
  await expect(page.getByTestId('signed-in-role')).toHaveText('只读用户（部分区域）');
  await expect(page.getByRole('button', { name: '新建站点' })).toHaveCount(0);
  await page.screenshot({ path: `${SCREENSHOT_DIR}/viewer-sites-zh.png` });
  await context.close();
});

test('an operator of region A may power a server and acknowledge, but not delete or change the layout', async ({ browser, edgecab }) => {
  const { context, page } = await signedInPage(browser, edgecab.url, OPERATOR);
  await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Sites' }).click();
  await expect(page.getByTestId('site-row-RA-001')).toBeVisible();
  await expect(page.getByTestId('site-row-RA-001').getByRole('button', { name: 'Delete' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'New site' })).toHaveCount(0);

  await page.goto(`/#/sites/${world.labSite}`);
  await expect(page.getByRole('button', { name: 'Read all devices now' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Edit layout' })).toHaveCount(0);

  await page.goto(`/#/devices/${world.serverDevice}`);
  await expect(page.getByRole('heading', { name: 'Power', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Read now' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Change connection' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Restart', exact: true }).click();
  const confirm = page.getByRole('dialog', { name: /Restart/ });
  await confirm.getByRole('button', { name: 'Restart' }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: /Restart/ })).toBeVisible();

  await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Alarms' }).click();
  await expect(page.getByRole('button', { name: 'Forwarding' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Maintenance' })).toBeVisible();
  const row = page.getByTestId('alarm-row').filter({ hasText: 'UPS is on battery' });
  await row.getByRole('button', { name: 'Acknowledge', exact: true }).click();
  await expect(row).toContainText('Acknowledged by');

  // Demoted while the page is open: their sessions end at once. The next call (or the event stream's next check) finds it ended, the page says so in the user's language, and signed in again they are a viewer.
  await page.goto(`/#/devices/${world.serverDevice}`);
  await page.getByLabel('Language').selectOption('zh-CN');
  await expect(page.getByRole('heading', { name: '电源', exact: true })).toBeVisible();
  await api(edgecab.url, `/users/${world.operatorId}`, { method: 'PATCH', body: JSON.stringify({ grants: [{ role: 'viewer', regionId: world.regionA }] }) });
  const signIn = page.getByRole('form', { name: '登录 EdgeCab' });
  const restart = page.getByRole('button', { name: '重启', exact: true });
  await expect(restart.or(signIn).first()).toBeVisible();
  // The event stream's next check may end the page's session first: then the buttons are gone and there is nothing to click.
  if (await restart.isVisible()) {
    await restart.click({ timeout: 3000 }).catch(() => undefined);
    await page.getByRole('dialog', { name: /重启/ }).getByRole('button', { name: '重启' }).click({ timeout: 3000 }).catch(() => undefined);
  }
  await expect(signIn).toContainText('会话已结束，请重新登录后继续。');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/operator-demoted-zh.png` });
  await signIn.getByLabel('用户名').fill(OPERATOR.name);
  await signIn.getByLabel('密码', { exact: true }).fill(OPERATOR.password);
  await signIn.getByRole('button', { name: '登录' }).click();
  await page.goto(`/#/devices/${world.serverDevice}`);
  await expect(page.getByTestId('device-status')).toBeVisible();
  await expect(page.getByRole('heading', { name: '电源', exact: true })).toHaveCount(0);
  await api(edgecab.url, `/users/${world.operatorId}`, { method: 'PATCH', body: JSON.stringify({ grants: [{ role: 'operator', regionId: world.regionA }] }) });
  await context.close();
});
