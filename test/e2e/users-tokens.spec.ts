import { ADMIN, api, expect, SCREENSHOT_DIR, test } from './fixtures.js';
import { createRegion, withToken } from './auth-helpers.js';

test.use({ serverName: 'auth' });

test('an administrator creates a user with a role on a region, changes it, disables and enables them, and cannot remove the last administrator', async ({ page, edgecab }) => {
  await createRegion(edgecab.url, 'Region C');
  await page.goto('/#/users');
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
  const me = page.getByTestId(`user-row-${ADMIN.name}`);
  await expect(me).toContainText('Administrator · every region');
  await expect(me).toContainText('(you)');

  await page.getByRole('button', { name: 'New user' }).click();
  const create = page.getByRole('dialog', { name: 'New user' });
  await create.getByLabel('User name').fill('wang.fang');
  await create.getByLabel('Full name').fill('Wang Fang, Region C branch IT');
  await create.getByLabel('Initial password').fill('short');
  const first = create.getByRole('group', { name: 'Role 1' });
  await first.getByLabel('Role', { exact: true }).selectOption('operator');
  await first.getByLabel('Where', { exact: true }).selectOption({ label: 'Region C' });
  await create.getByRole('button', { name: 'Create' }).click();
  await expect(create.locator('#user-password-error')).toContainText('at least 10 characters');
  await create.getByLabel('Initial password').fill('a fine first password');
  await create.getByRole('button', { name: 'Add a role' }).click();
  await create.getByRole('group', { name: 'Role 2' }).getByLabel('Role', { exact: true }).selectOption('viewer');
  await create.getByRole('group', { name: 'Role 2' }).getByLabel('Where', { exact: true }).selectOption({ label: 'Every region' });
  await create.getByRole('button', { name: 'Create' }).click();
  await expect(create).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'User wang.fang created.' })).toBeVisible();
  const row = page.getByTestId('user-row-wang.fang');
  await expect(row).toContainText('Operator · Region C');
  await expect(row).toContainText('Viewer · every region');
  await expect(row).toContainText('Active');

  // A second user of the same name is refused next to the name.
  await page.getByRole('button', { name: 'New user' }).click();
  await create.getByLabel('User name').fill('wang.fang');
  await create.getByLabel('Initial password').fill('another fine password');
  await create.getByRole('button', { name: 'Create' }).click();
  await expect(create.locator('#user-name-error')).toHaveText('A user with this name exists already.');
  await create.getByRole('button', { name: 'Cancel' }).click();

  // Change the roles: administrator of region C only.
  await row.getByRole('button', { name: 'Change roles' }).click();
  const roles = page.getByRole('dialog', { name: 'Roles of wang.fang' });
  // The core lists roles on every region first.
  await expect(roles.getByRole('group', { name: 'Role 1' }).getByLabel('Where', { exact: true })).toHaveValue('');
  await roles.getByRole('button', { name: 'Remove this role 1' }).click();
  await roles.getByRole('group', { name: 'Role 1' }).getByLabel('Role', { exact: true }).selectOption('administrator');
  await roles.getByRole('button', { name: 'Save' }).click();
  await expect(roles).toBeHidden();
  await expect(row).toContainText('Administrator · Region C');
  await expect(row).not.toContainText('every region');

  // Disable (with a confirmation), then enable again; set a password.
  page.once('dialog', (confirm) => void confirm.accept());
  await row.getByRole('button', { name: 'Disable' }).click();
  await expect(row).toContainText('Disabled');
  expect((await api(edgecab.url, '/auth/session', { method: 'POST', body: JSON.stringify({ name: 'wang.fang', password: 'a fine first password' }) })).status).toBe(401);
  await row.getByRole('button', { name: 'Enable' }).click();
  await expect(row).toContainText('Active');
  await row.getByRole('button', { name: 'Set password' }).click();
  const password = page.getByRole('dialog', { name: 'New password for wang.fang' });
  await password.getByLabel('New password', { exact: true }).fill('a second password 22');
  await password.getByLabel('New password again').fill('a second password 22');
  await password.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The password of wang.fang is changed.' })).toBeVisible();
  expect((await api(edgecab.url, '/auth/session', { method: 'POST', body: JSON.stringify({ name: 'wang.fang', password: 'a second password 22' }) })).status).toBe(200);

  // The last administrator of every region cannot be made less: the core's refusal, in words.
  await me.getByRole('button', { name: 'Change roles' }).click();
  const mine = page.getByRole('dialog', { name: `Roles of ${ADMIN.name}` });
  await mine.getByRole('group', { name: 'Role 1' }).getByLabel('Role', { exact: true }).selectOption('viewer');
  await mine.getByRole('button', { name: 'Save' }).click();
  await expect(mine.getByRole('alert')).toHaveText('This is the last administrator of every region. Make someone else administrator of every region first.');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/users-last-admin-en.png` });
  await mine.getByRole('button', { name: 'Cancel' }).click();
  await expect(me).toContainText('Administrator · every region');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/users-en.png`, fullPage: true });

  await page.getByLabel('Language').selectOption('zh-CN');
  await expect(page.getByRole('heading', { name: '用户', exact: true })).toBeVisible();
  await expect(row).toContainText('管理员 · Region C');
  await expect(me).toContainText('管理员 · 所有区域');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/users-zh.png`, fullPage: true });
  await page.getByLabel('语言').selectOption('en');
});

test('an administrator creates an API token, sees it once, copies it, and revokes it; the revoked token gets 401', async ({ page, context, edgecab }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/#/tokens');
  await expect(page.getByRole('heading', { name: 'API tokens' })).toBeVisible();
  await page.getByLabel('What uses it').fill('Nagios at head office');
  await page.getByLabel('Scope').selectOption('operator');
  await page.getByLabel('Expires').selectOption({ label: 'after 30 days' });
  await page.getByRole('button', { name: 'Create token' }).click();

  const created = page.getByTestId('new-token');
  await expect(created).toContainText('it is shown only this once');
  const token = await created.getByLabel('The new API token').inputValue();
  expect(token).toMatch(/^ecb_/);
  await created.getByRole('button', { name: 'Copy' }).click();
  await expect(created.getByRole('button', { name: /Copied/ })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
  await page.screenshot({ path: `${SCREENSHOT_DIR}/tokens-created-en.png` });
  await created.getByRole('button', { name: 'I have copied it' }).click();
  await expect(created).toHaveCount(0);

  expect((await withToken(edgecab.url, token, '/sites?limit=1')).status).toBe(200);
  const row = page.getByTestId('token-row-Nagios at head office');
  await expect(row).toContainText('Operator');
  await expect(row).toContainText('Active');
  await expect(row).toContainText(ADMIN.name);

  await row.getByRole('button', { name: 'Revoke' }).click();
  const confirm = page.getByRole('dialog', { name: 'Revoke the token “Nagios at head office”?' });
  await expect(confirm).toContainText('stops working at once');
  await confirm.getByRole('button', { name: 'Revoke' }).click();
  await expect(confirm).toBeHidden();
  await expect(row).toContainText('Revoked');
  await expect(row.getByRole('button', { name: 'Revoke' })).toHaveCount(0);
  expect((await withToken(edgecab.url, token, '/sites?limit=1')).status).toBe(401);
});
