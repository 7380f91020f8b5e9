import { RPCHandler } from '@orpc/server/message-port';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { createCore } from '../../main/core/index.js';
import { expect, SCREENSHOT_DIR, test } from './fixtures.js';

/**
 * The desktop renderer talks to the core over a MessagePort that the preload
 * hands it. Electron cannot run here, so this test plays the preload and the
 * utility process: the same renderer build gets a MessagePort whose other end
 * is relayed to a real core's MessagePort handler in this process.
 */
test('the same renderer build works over a MessagePort to the core', async ({ page }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'edgecab-desktop-'));
  const core = createCore({ dataDir, host: 'desktop' });
  const { port1: corePort, port2: relayPort } = new MessageChannel();
  new RPCHandler(core.router, { clientInterceptors: [...core.interceptors] }).upgrade(corePort, {
    context: { actor: 'desktop:e2e' },
  });
  corePort.start();
  try {
    await page.exposeBinding('edgecabRelayToCore', (_source, data: unknown) => relayPort.postMessage(data));
    relayPort.on('message', (data: unknown) => {
      void page.evaluate((message) => (window as unknown as { edgecabRelayFromCore(m: unknown): void }).edgecabRelayFromCore(message), data).catch(() => {});
    });
    await page.addInitScript(() => {
      const bridge = window as unknown as {
        edgecabDesktop: { host: 'desktop'; version: string };
        edgecabRelayToCore(data: unknown): void;
        edgecabRelayFromCore(data: unknown): void;
      };
      bridge.edgecabDesktop = { host: 'desktop', version: 'e2e' };
      const channel = new MessageChannel();
      // Typed loosely: test/ compiles with both DOM and Node typings, whose MessagePorts differ.
      const pagePort = channel.port2 as unknown as { onmessage: (event: { data: unknown }) => void; postMessage(data: unknown): void };
      pagePort.onmessage = (event) => bridge.edgecabRelayToCore(event.data);
      bridge.edgecabRelayFromCore = (data) => pagePort.postMessage(data);
      window.addEventListener('DOMContentLoaded', () => window.postMessage('edgecab:core-port', window.location.origin, [channel.port1]));
    });

    await page.goto('/#/sites');
    await expect(page.getByTestId('connection')).toContainText('Desktop core');
    await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'online');
    await page.getByRole('button', { name: 'New site' }).click();
    const dialog = page.getByRole('dialog', { name: 'New site' });
    await dialog.getByLabel('Name').fill('Over the port');
    await dialog.getByLabel('Code').fill('PORT-1');
    await dialog.getByLabel('Latitude').fill('31.23');
    await dialog.getByLabel('Longitude').fill('121.47');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(page.getByTestId('site-row-PORT-1')).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/desktop-transport.png` });

    // It landed in this core, not in the HTTP server's, and was audited as the desktop user.
    const client = core.client('check');
    expect((await client.sites.list({ q: 'PORT-1' })).total).toBe(1);
    expect((await client.audit.list({})).items[0]).toMatchObject({ actor: 'desktop:e2e', operation: 'sites.create', outcome: 'ok' });
  } finally {
    relayPort.close();
    core.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
