import { apiPost, expect, SCREENSHOT_DIR, test } from './fixtures.js';

const SITES = 50_000;

test.use({ serverName: 'large-list' });

test('50,000 sites scroll in a virtualized table', async ({ page, edgecab }) => {
  const rows = Array.from({ length: SITES }, (_, index) => {
    const n = String(index).padStart(5, '0');
    return `Site ${n},BIG-${n},${(index % 170) - 85 + 0.5},${(index % 350) - 175 + 0.25}`;
  });
  const response = await apiPost(edgecab.url, '/sites/import', { csv: ['name,code,latitude,longitude', ...rows].join('\n'), mode: 'commit' });
  expect(((await response.json()) as { created: number }).created).toBe(SITES);

  await page.goto('/#/sites');
  await expect(page.getByTestId('site-count')).toHaveText('50,000 sites');
  await expect(page.getByTestId('site-row-BIG-00000')).toBeVisible();
  // Only the rows on screen exist in the page.
  expect(await page.locator('[data-testid^="site-row-"]').count()).toBeLessThan(80);

  const body = page.getByTestId('site-table').locator('.table-body');
  await body.evaluate((element) => element.scrollTo(0, element.scrollHeight / 2));
  await expect(page.getByTestId(/^site-row-BIG-2[45]\d{3}$/).first()).toBeVisible();
  await body.evaluate((element) => element.scrollTo(0, element.scrollHeight));
  await expect(page.getByTestId('site-row-BIG-49999')).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOT_DIR}/sites-50k-end.png` });

  await page.getByRole('searchbox').fill('BIG-4999');
  await expect(page.getByTestId('site-count')).toHaveText('10 sites');
  await page.getByRole('button', { name: 'Code' }).click();
  await page.getByRole('button', { name: 'Code' }).click();
  await expect(page.locator('[data-testid^="site-row-"]').first()).toHaveAttribute('data-testid', 'site-row-BIG-49999');
});
