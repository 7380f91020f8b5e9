import { apiPost, expect, SCREENSHOT_DIR, test } from './fixtures.js';

test.use({ serverName: 'sites' });

test.describe('Sites screen', () => {
  test('create a site, see it listed, reload, still there', async ({ page }) => {
    await page.goto('/#/sites');
    await expect(page.getByRole('heading', { name: 'Sites' })).toBeVisible();
    await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'online');

    await page.getByRole('button', { name: 'New site' }).click();
    const dialog = page.getByRole('dialog', { name: 'New site' });
    await dialog.getByLabel('Name').fill('Shenzhen Nanshan');
    await dialog.getByLabel('Code').fill('GD-SZ-001');
    await dialog.getByLabel('Latitude').fill('22.5333');
    await dialog.getByLabel('Longitude').fill('113.9304');
    await dialog.getByLabel('Address').fill('Keji Road 1, Nanshan');
    await dialog.getByLabel('Contact').fill('Li Lei, 138 0000 0000');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog).toBeHidden();

    const row = page.getByTestId('site-row-GD-SZ-001');
    await expect(row).toContainText('Shenzhen Nanshan');
    await expect(page.getByRole('status').filter({ hasText: 'Site GD-SZ-001 created' })).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/sites-en.png` });

    await page.reload();
    await expect(page.getByTestId('site-row-GD-SZ-001')).toContainText('Shenzhen Nanshan');
    await expect(page.getByTestId('site-count')).toHaveText(/^\d+ sites$/);
  });

  test('bad input shows the error next to the field and saves nothing', async ({ page, edgecab }) => {
    await apiPost(edgecab.url, '/sites', { name: 'Taken', code: 'TAKEN-1', latitude: 1, longitude: 1 });
    await page.goto('/#/sites');
    await expect(page.getByTestId('site-row-TAKEN-1')).toBeVisible();
    const countBefore = await page.getByTestId('site-count').textContent();
    await page.getByRole('button', { name: 'New site' }).click();
    const dialog = page.getByRole('dialog', { name: 'New site' });
    await dialog.getByLabel('Name').fill('Broken');
    await dialog.getByLabel('Code').fill('has spaces');
    await dialog.getByLabel('Latitude').fill('95');
    await dialog.getByLabel('Longitude').fill('east');
    await dialog.getByRole('button', { name: 'Create' }).click();

    await expect(dialog.getByLabel('Latitude')).toHaveAttribute('aria-invalid', 'true');
    await expect(dialog.locator('#site-latitude-error')).toHaveText('Between −90 and 90');
    await expect(dialog.locator('#site-longitude-error')).toHaveText('Must be a number');
    await expect(dialog.locator('#site-code-error')).toContainText('Letters, digits');
    await expect(dialog.locator('#site-name-error')).toHaveCount(0);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/site-form-errors-en.png` });

    // A duplicate code is only known to the core: its conflict lands on the code field.
    await dialog.getByLabel('Code').fill('taken-1');
    await dialog.getByLabel('Latitude').fill('22.5');
    await dialog.getByLabel('Longitude').fill('113.9');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog.locator('#site-code-error')).toHaveText('Another site already uses this code');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByTestId('site-count')).toHaveText(countBefore ?? '');
  });

  test('switch language to Chinese and back, and the choice survives a reload', async ({ page }) => {
    await page.goto('/#/sites');
    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(page.getByRole('heading', { name: '站点' })).toBeVisible();
    await expect(page.getByRole('button', { name: '新建站点' })).toBeVisible();
    await expect(page.getByTestId('connection')).toContainText('已连接');
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await page.getByRole('button', { name: '新建站点' }).click();
    const dialog = page.getByRole('dialog', { name: '新建站点' });
    await dialog.getByLabel('纬度').fill('-100');
    await dialog.getByRole('button', { name: '创建' }).click();
    await expect(dialog.locator('#site-latitude-error')).toHaveText('应在 −90 到 90 之间');
    await expect(dialog.locator('#site-name-error')).toHaveText('必填');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/site-form-errors-zh.png` });
    await dialog.getByRole('button', { name: '取消' }).click();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/sites-zh.png` });

    await page.reload();
    await expect(page.getByRole('heading', { name: '站点' })).toBeVisible();
    await page.getByLabel('语言').selectOption('en');
    await expect(page.getByRole('heading', { name: 'Sites' })).toBeVisible();
  });
});

test.describe('Sites screen: editing', () => {
  test('edit a site, then delete it after confirming', async ({ page, edgecab }) => {
    await apiPost(edgecab.url, '/sites', { name: 'Wuhan Optics Valley', code: 'HB-WH-EDIT', latitude: 30.5, longitude: 114.4 });
    await page.goto('/#/sites');
    const row = page.getByTestId('site-row-HB-WH-EDIT');
    await row.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit site HB-WH-EDIT' });
    await expect(dialog.getByLabel('Name')).toHaveValue('Wuhan Optics Valley');
    await dialog.getByLabel('Name').fill('Wuhan East Lake');
    await dialog.getByLabel('Contact').fill('Zhang Wei');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toBeHidden();
    await expect(row).toContainText('Wuhan East Lake');
    await expect(row).toContainText('Zhang Wei');

    // Declining the confirmation keeps the site; accepting deletes it.
    page.once('dialog', (confirm) => void confirm.dismiss());
    await row.getByRole('button', { name: 'Delete' }).click();
    await expect(row).toBeVisible();
    page.once('dialog', (confirm) => {
      expect(confirm.message()).toContain('HB-WH-EDIT');
      void confirm.accept();
    });
    await row.getByRole('button', { name: 'Delete' }).click();
    await expect(row).toHaveCount(0);
    await expect(page.getByRole('status').filter({ hasText: 'Site HB-WH-EDIT deleted' })).toBeVisible();
  });
});

test.describe('Sites screen: system language', () => {
  test.use({ locale: 'zh-CN' });

  test('opens in Chinese when the system language is Chinese', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { name: '地图' })).toBeVisible();
    await expect(page.getByRole('link', { name: '审计日志' })).toBeVisible();
    await expect(page.getByLabel('语言')).toHaveValue('zh-CN');
  });
});
