import { RPCHandler } from '@orpc/server/message-port';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { Page } from '@playwright/test';
import { createCore, systemContext, type Core } from '../../main/core/index.js';
import { expect, SCREENSHOT_DIR, test } from './fixtures.js';

/**
 * The desktop renderer talks to the core over a MessagePort that the preload
 * hands it. Electron cannot run here, so this test plays the preload and the
 * utility process: the same renderer build gets MessagePorts (and the
 * preload's notices) whose other ends are relayed to real cores' MessagePort
 * handlers in this process. Each port is one "generation"; a restart of the
 * core is a new core on the same data folder and a new generation.
 */

interface RelayedCore {
  core: Core;
  relay: MessagePort;
}

function startCore(dataDir: string): RelayedCore {
  const core = createCore({ dataDir, host: 'desktop' });
  const { port1: corePort, port2: relay } = new MessageChannel();
  new RPCHandler(core.router, { clientInterceptors: [...core.interceptors] }).upgrade(corePort, { context: systemContext('desktop:e2e', 'desktop') });
  corePort.start();
  return { core, relay };
}

/** Plays the preload in the page: `edgecabTestConnect(generation, restarts)` posts a fresh port, `edgecabTestStopped(restarts)` the stop notice. */
async function installFakePreload(page: Page, generations: Map<number, RelayedCore>): Promise<void> {
  await page.exposeBinding('edgecabRelayToCore', (_source, generation: number, data: unknown) => generations.get(generation)?.relay.postMessage(data));
  await page.addInitScript(() => {
    const bridge = window as unknown as {
      edgecabDesktop: { host: 'desktop'; version: string };
      edgecabRelayToCore(generation: number, data: unknown): void;
      edgecabRelayFromCore(generation: number, data: unknown): void;
      edgecabTestConnect(generation: number, restarts: number): void;
      edgecabTestStopped(restarts: number): void;
    };
    bridge.edgecabDesktop = { host: 'desktop', version: 'e2e' };
    // Typed loosely: test/ compiles with both DOM and Node typings, whose MessagePorts differ.
    const pagePorts = new Map<number, { onmessage: (event: { data: unknown }) => void; postMessage(data: unknown): void }>();
    bridge.edgecabRelayFromCore = (generation, data) => pagePorts.get(generation)?.postMessage(data);
    bridge.edgecabTestConnect = (generation, restarts) => {
      const channel = new MessageChannel();
      const pagePort = channel.port2 as unknown as { onmessage: (event: { data: unknown }) => void; postMessage(data: unknown): void };
      pagePort.onmessage = (event) => bridge.edgecabRelayToCore(generation, event.data);
      pagePorts.set(generation, pagePort);
      window.postMessage({ type: 'edgecab:core-port', kind: 'connect', restarts }, window.location.origin, [channel.port1]);
    };
    bridge.edgecabTestStopped = (restarts) => window.postMessage({ type: 'edgecab:core-port', kind: 'stopped', restarts }, window.location.origin);
    window.addEventListener('DOMContentLoaded', () => bridge.edgecabTestConnect(0, 0));
  });
}

function relayToPage(page: Page, generation: number, relay: MessagePort): void {
  relay.on('message', (data: unknown) => {
    void page
      .evaluate(([gen, message]) => (window as unknown as { edgecabRelayFromCore(g: number, m: unknown): void }).edgecabRelayFromCore(gen, message), [generation, data] as const)
      .catch(() => {});
  });
}

async function createSite(page: Page, name: string, code: string): Promise<void> {
  await page.getByRole('button', { name: 'New site' }).click();
  const dialog = page.getByRole('dialog', { name: 'New site' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Code').fill(code);
  await dialog.getByLabel('Latitude').fill('31.23');
  await dialog.getByLabel('Longitude').fill('121.47');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByTestId(`site-row-${code}`)).toBeVisible();
}

test('the same renderer build works over a MessagePort to the core, and survives a restart of the core', async ({ page }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'edgecab-desktop-'));
  const generations = new Map<number, RelayedCore>();
  try {
    generations.set(0, startCore(dataDir));
    relayToPage(page, 0, generations.get(0)!.relay);
    await installFakePreload(page, generations);

    await page.goto('/#/sites');
    await expect(page.getByTestId('connection')).toContainText('Desktop core');
    await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'online');
    await expect(page.getByTestId('core-restart-banner')).toHaveCount(0);
    await createSite(page, 'Over the port', 'PORT-1');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/desktop-transport.png` });

    // It landed in this core, not in the HTTP server's, and was audited as the desktop user.
    const first = generations.get(0)!.core;
    expect((await first.client('check').sites.list({ q: 'PORT-1' })).total).toBe(1);
    expect((await first.client('check').audit.list({})).items[0]).toMatchObject({ actor: 'desktop:e2e', operation: 'sites.create', outcome: 'ok' });

    // The core process dies: the host tells the page, and the core's database is closed as a dying process's would be.
    generations.get(0)!.relay.close();
    generations.delete(0);
    await first.close();
    await page.evaluate(() => (window as unknown as { edgecabTestStopped(r: number): void }).edgecabTestStopped(0));
    await expect(page.getByTestId('core-restart-banner')).toHaveAttribute('data-state', 'stopped');
    await expect(page.getByTestId('core-restart-banner')).toContainText('The EdgeCab core stopped. Restarting it');
    await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'offline');

    // The supervisor starts a new core on the same data and hands the page a new port.
    generations.set(1, startCore(dataDir));
    relayToPage(page, 1, generations.get(1)!.relay);
    await page.evaluate(() => (window as unknown as { edgecabTestConnect(g: number, r: number): void }).edgecabTestConnect(1, 1));
    const banner = page.getByTestId('core-restart-banner');
    await expect(banner).toHaveAttribute('data-state', 'restarted');
    await expect(banner).toContainText('The EdgeCab core stopped and was restarted (1 time).');
    await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'online');

    // The same client, without a reload, now works over the new port.
    await createSite(page, 'After the restart', 'PORT-2');
    await expect(page.getByTestId('site-row-PORT-1')).toBeVisible();
    expect((await generations.get(1)!.core.client('check').sites.list({ q: 'PORT-2' })).total).toBe(1);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/desktop-core-restarted.png` });

    // In Chinese too; dismissed, it stays away until the next restart.
    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(banner).toContainText('EdgeCab 核心曾停止并已重新启动（1 次）。');
    await banner.getByRole('button', { name: '关闭' }).click();
    await expect(banner).toHaveCount(0);
  } finally {
    for (const { core, relay } of generations.values()) {
      relay.close();
      await core.close().catch(() => undefined);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
});
