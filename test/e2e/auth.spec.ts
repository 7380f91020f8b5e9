import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import packageJson from '../../package.json' with { type: 'json' };
import { createUser, freshContext, signedInPage, signInThroughUi } from './auth-helpers.js';
import { ADMIN, expect, SCREENSHOT_DIR, stopEdgecab, test } from './fixtures.js';

test.use({ serverName: 'auth' });

test.describe('Signing in and out', () => {
  test.use({ signedIn: false });

  test('signed out shows the sign-in screen; a wrong password says so; the right one opens the map; signing out comes back', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Sign in to EdgeCab' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'main' })).toHaveCount(0);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/auth-sign-in-en.png` });

    await page.getByLabel('User name').fill(ADMIN.name);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toHaveText('Wrong user name or password.');
    await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');

    await signInThroughUi(page, ADMIN);
    await expect(page.getByRole('heading', { name: 'Map' })).toBeVisible();
    await expect(page).toHaveURL(/#\/map$/);
    await expect(page.getByTestId('signed-in-role')).toHaveText('Administrator');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in to EdgeCab' })).toBeVisible();
    await expect(page.getByText('Your session ended. Sign in again to go on.')).toBeVisible();
    // The session is gone on the server too, not just forgotten by the page.
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Sign in to EdgeCab' })).toBeVisible();
  });

  test('signing in and out in Chinese', async ({ page }) => {
    await page.goto('/');
    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(page.getByRole('heading', { name: '登录 EdgeCab' })).toBeVisible();
    await page.getByLabel('用户名').fill(ADMIN.name);
    await page.getByLabel('密码', { exact: true }).fill('wrong password 1');
    await page.getByRole('button', { name: '登录' }).click();
    await expect(page.getByRole('alert')).toHaveText('用户名或密码错误。');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/auth-sign-in-zh.png` });
    await page.getByLabel('密码', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: '登录' }).click();
    await expect(page.getByRole('heading', { name: '地图' })).toBeVisible();
    await expect(page.getByTestId('signed-in-role')).toHaveText('管理员');
    await page.getByRole('button', { name: '退出登录' }).click();
    await expect(page.getByRole('heading', { name: '登录 EdgeCab' })).toBeVisible();
    await expect(page.getByText('会话已结束，请重新登录后继续。')).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/auth-signed-out-zh.png` });
  });
});

test('a fresh server: the setup link creates the first administrator through the setup screen', async ({ browser }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'edgecab-e2e-setup-'));
  const child = spawn(process.execPath, [packageJson.bin.edgecab, 'serve', '--port', '0', '--json', '--data-dir', dataDir, '--trap-port', 'off', '--events-port', 'off'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const listening = await new Promise<{ url: string; setupUrl: string }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as { url: string; setupUrl: string });
      });
      child.on('exit', (code) => reject(new Error(`edgecab serve exited with code ${code}`)));
    });
    expect(listening.setupUrl).toContain('#/setup?token=');
    const context = await freshContext(browser, listening.url);
    const page = await context.newPage();

    // Without the link, the sign-in screen says where to look.
    await page.goto(listening.url);
    await expect(page.getByText('No user exists yet. Open the one-time setup link')).toBeVisible();

    // The setup screen is chosen when the page loads (a hash change alone does not switch to it): open the link as a new page.
    await page.goto('about:blank');
    await page.goto(listening.setupUrl);
    await expect(page.getByRole('heading', { name: 'Create the first administrator' })).toBeVisible();
    await page.getByLabel('User name').fill('branch-admin');
    await page.getByLabel('Password', { exact: true }).fill('a long enough secret 42');
    await page.getByLabel('Password again').fill('a long enough secret 41');
    await page.getByRole('button', { name: 'Create and sign in' }).click();
    await expect(page.getByRole('alert')).toHaveText('The two passwords differ.');
    await page.getByLabel('Password again').fill('a long enough secret 42');
    await page.getByRole('button', { name: 'Create and sign in' }).click();
    await expect(page.getByRole('heading', { name: 'Map' })).toBeVisible();
    await expect(page.getByTestId('signed-in-as')).toContainText('branch-admin');
    await expect(page.getByRole('link', { name: 'Users' })).toBeVisible();

    // The link is spent: opened again in another browser, it leads to the sign-in screen, not to a second administrator.
    const other = await freshContext(browser, listening.url);
    const second = await other.newPage();
    await second.goto(listening.setupUrl);
    await expect(second.getByRole('heading', { name: 'Sign in to EdgeCab' })).toBeVisible();
    await expect(second.getByRole('heading', { name: 'Create the first administrator' })).toHaveCount(0);
    await other.close();
    await context.close();
  } finally {
    await stopEdgecab(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('changing my own password from the account menu keeps me signed in, and the new password is the one that works', async ({ browser, edgecab }) => {
  const user = { name: 'e2e-changer', password: 'first password 0001' };
  const next = 'second password 0002';
  await createUser(edgecab.url, user.name, user.password, [{ role: 'viewer', regionId: null }]);
  const { context, page } = await signedInPage(browser, edgecab.url, user);

  await page.getByRole('button', { name: 'Change password' }).click();
  const dialog = page.getByRole('dialog', { name: 'Change my password' });
  await dialog.getByLabel('Current password').fill('not it at all 123');
  await dialog.getByLabel('New password', { exact: true }).fill(next);
  await dialog.getByLabel('New password again').fill(next);
  await dialog.getByRole('button', { name: 'Change password' }).click();
  await expect(dialog.locator('#password-current-error')).toHaveText('The current password is not right.');

  await dialog.getByLabel('Current password').fill(user.password);
  await dialog.getByLabel('New password', { exact: true }).fill('short');
  await dialog.getByLabel('New password again').fill('short');
  await dialog.getByRole('button', { name: 'Change password' }).click();
  await expect(dialog.locator('#password-next-error')).toContainText('at least 10 characters');

  await dialog.getByLabel('New password', { exact: true }).fill(next);
  await dialog.getByLabel('New password again').fill(next);
  await dialog.getByRole('button', { name: 'Change password' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Your password is changed.' })).toBeVisible();
  // Still signed in (the dialog signed in again with the new password): the app keeps working.
  await page.getByRole('link', { name: 'Sites' }).click();
  await expect(page.getByTestId('site-count')).toHaveText(/sites$/);
  await expect(page.getByTestId('signed-in-as')).toContainText(user.name);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('User name').fill(user.name);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong user name or password.');
  await signInThroughUi(page, { name: user.name, password: next });
  await context.close();
});
