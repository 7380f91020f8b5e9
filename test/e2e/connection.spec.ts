import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiPost, expect, SCREENSHOT_DIR, signIn, startEdgecab, stopEdgecab, test } from './fixtures.js';

test('the connection indicator shows a lost server, and the UI recovers when it is back', async ({ page, context }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'edgecab-conn-'));
  let server = await startEdgecab(dataDir);
  const port = Number(new URL(server.url).port);
  try {
    await apiPost(server.url, '/sites', { name: 'Survivor', code: 'KEEP-1', latitude: 39.9, longitude: 116.4 });
    // The session is kept in the data directory, so it still holds when the same server comes back.
    await signIn(context, server.url, server.session);
    await page.goto(`${server.url}#/sites`);
    const indicator = page.getByTestId('connection');
    await expect(indicator).toHaveAttribute('data-state', 'online');

    await stopEdgecab(server.child);
    await expect(indicator).toHaveAttribute('data-state', 'offline');
    await expect(indicator).toContainText('Disconnected');
    // The data on screen stays, marked with the time it is from.
    await expect(page.getByTestId('offline-banner')).toContainText(/EdgeCab core not reachable — showing data as of \d\d:\d\d/);
    await expect(page.getByTestId('site-row-KEEP-1')).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/connection-lost.png` });

    server = await startEdgecab(dataDir, port);
    await expect(indicator).toHaveAttribute('data-state', 'online', { timeout: 15_000 });
    await expect(page.getByTestId('offline-banner')).toHaveCount(0);
    await expect(page.getByTestId('site-row-KEEP-1')).toBeVisible();
  } finally {
    await stopEdgecab(server.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
