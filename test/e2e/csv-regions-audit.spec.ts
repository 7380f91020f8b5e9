import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiPost, expect, SCREENSHOT_DIR, test } from './fixtures.js';

test.use({ serverName: 'csv-regions-audit' });

test.describe('Regions, CSV import and audit log', () => {
  test('build a region tree', async ({ page }) => {
    await page.goto('/#/regions');
    await page.getByRole('button', { name: 'New top-level region' }).click();
    await page.getByLabel('Region name').fill('Guangdong');
    await page.getByRole('button', { name: 'Save' }).click();
    const guangdong = page.getByTestId('region-Guangdong');
    await expect(guangdong).toBeVisible();
    await guangdong.getByRole('button', { name: 'Add sub-region' }).first().click();
    await page.getByLabel('Region name').fill('Shenzhen');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByTestId('region-Guangdong/Shenzhen')).toBeVisible();
    // A sibling with the same name is refused, with the reason shown.
    await guangdong.getByRole('button', { name: 'Add sub-region' }).first().click();
    await page.getByLabel('Region name').fill('Shenzhen');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('alert')).toContainText('already exists');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/regions-en.png` });
  });

  test('import a CSV: preview with per-row errors, then import the valid rows', async ({ page }, testInfo) => {
    mkdirSync(testInfo.outputDir, { recursive: true });
    const file = join(testInfo.outputDir, 'sites.csv');
    writeFileSync(
      file,
      [
        'name,code,latitude,longitude,region,address,contact',
        'Nanshan Branch,CSV-GD-1,22.53,113.93,Guangdong/Shenzhen,Keji Rd 1,Li',
        'Futian Branch,CSV-GD-2,22.54,114.05,Guangdong/Shenzhen,,',
        'Broken Latitude,CSV-GD-3,122.5,114.05,,,',
        'Unknown Region,CSV-GD-4,22.5,114.05,Atlantis,,',
        'Guangzhou Branch,CSV-GD-5,23.13,113.26,Guangdong,,',
      ].join('\n'),
    );
    await page.goto('/#/sites');
    await page.getByRole('button', { name: 'Import CSV' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import sites from CSV' });
    await dialog.getByTestId('csv-file').setInputFiles(file);
    await expect(dialog.getByTestId('csv-summary')).toHaveText('5 rows: 3 ready to import, 2 with errors');
    const errors = dialog.getByTestId('csv-errors');
    await expect(errors.getByRole('row').nth(1)).toContainText('4');
    await expect(errors.getByRole('row').nth(1)).toContainText('Latitude');
    await expect(errors.getByRole('row').nth(1)).toContainText('Between −90 and 90');
    await expect(errors.getByRole('row').nth(2)).toContainText('No such region');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/csv-preview-en.png` });

    await dialog.getByRole('button', { name: 'Import 3 sites' }).click();
    await expect(dialog.getByTestId('csv-summary')).toHaveText('3 sites imported');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(page.getByTestId('site-row-CSV-GD-1')).toContainText('Guangdong/Shenzhen');

    // The region filter includes sub-regions.
    await page.getByLabel('Region').selectOption({ label: '\u00a0\u00a0Shenzhen' });
    await expect(page.getByTestId('site-row-CSV-GD-1')).toBeVisible();
    await expect(page.getByTestId('site-row-CSV-GD-5')).toHaveCount(0);
  });

  test('every change is in the audit log, failures included', async ({ page, edgecab }) => {
    const post = (path: string, body: unknown) => apiPost(edgecab.url, path, body);
    await post('/regions', { name: 'Audited' });
    expect((await post('/regions', { name: 'Audited' })).status).toBe(409);
    await post('/sites/import', { csv: 'name,code,latitude,longitude\nAudit,AUD-1,1,1', mode: 'commit' });
    await page.goto('/#/audit');
    const table = page.getByTestId('audit-table');
    await expect(table).toContainText('sites.importCsv');
    await expect(table).toContainText('regions.create');
    await expect(table.getByRole('row').filter({ hasText: 'regions.create' }).filter({ hasText: 'Failed · CONFLICT' }).first()).toBeVisible();
    // Who acted, and through what: the user, by their API token.
    await expect(table).toContainText('e2e-admin (token e2e)');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/audit-en.png` });
    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(page.getByRole('heading', { name: '审计日志' })).toBeVisible();
    await expect(table).toContainText('失败 · CONFLICT');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/audit-zh.png` });
    await page.getByLabel('语言').selectOption('en');
  });
});
