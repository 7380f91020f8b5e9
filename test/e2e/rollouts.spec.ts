import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CabinetView } from '../../shared/domain/cabinet.js';
import type { Site } from '../../shared/domain/site.js';
import { startPodman, type PodmanService } from '../support/podman.js';
import { freeTcpPort } from '../support/ports.js';
import { pushBusyboxReleaseOverRest } from './busybox-release.js';
import { api, apiPost, expect, SCREENSHOT_DIR, test } from './fixtures.js';

test.use({ serverName: 'rollouts' });

test.describe('Rollouts', () => {
  let engine: PodmanService;
  let dir: string;
  test.afterAll(async () => {
    await engine?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a dry run shows what each site gets and what is in the way; the rollout runs live to healthy and is rolled back by hand, in English and Chinese', async ({ page, edgecab }) => {
    test.setTimeout(180_000);
    engine = await startPodman();
    dir = mkdtempSync(join(tmpdir(), 'edgecab-e2e-rollouts-'));
    await pushBusyboxReleaseOverRest(edgecab.url, engine, dir, '<h1>rolled out by EdgeCab</h1>');

    // Two branches: the first has its engine connected, the second none yet.
    let firstSite = '';
    for (const [index, code] of ['RL-1', 'RL-2'].entries()) {
      const site = (await (await apiPost(edgecab.url, '/sites', { name: `Rollout branch ${index + 1}`, code, latitude: 30 + index, longitude: 120 })).json()) as Site;
      firstSite ||= site.id;
      const view = (await (await apiPost(edgecab.url, `/sites/${site.id}/cabinet`, { siteId: site.id, templateId: 'edge-42u' })).json()) as CabinetView;
      if (index > 0) continue;
      const server = view.devices.find((device) => device.slotId === 'srv1')!;
      const device = (await (await apiPost(edgecab.url, `/cabinets/${view.cabinet.id}/devices`, { cabinetId: view.cabinet.id, kind: 'engine', name: 'Podman', u: server.u, heightU: 1, face: 'front', depth: 'full', protocol: 'engine' })).json()) as { id: string };
      expect((await api(edgecab.url, `/devices/${device.id}/engine`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: device.id, protocol: 'engine', url: engine.url }) })).status).toBe(200);
    }
    const port = await freeTcpPort();

    await page.goto('/#/rollouts');
    await expect(page.getByRole('heading', { name: 'Rollouts', level: 1 })).toBeVisible();
    await page.getByLabel('App', { exact: true }).selectOption('branch-web');
    await page.getByLabel('Sites whose name or code contains').fill('RL-');
    await page.getByLabel('HTTP port (HTTP_PORT)').fill('99999');
    await page.getByRole('button', { name: 'Dry run' }).click();
    await expect(page.getByTestId('plan-RL-1')).toContainText('HTTP_PORT: a port from 1 to 65535');
    await page.getByLabel('HTTP port (HTTP_PORT)').fill(String(port));
    await page.getByLabel('Healthy for (seconds) before it counts').fill('1');
    await page.getByRole('button', { name: 'Dry run' }).click();
    await expect(page.getByTestId('plan-RL-1')).toContainText('Install');
    await expect(page.getByTestId('plan-RL-1')).toContainText('engine never read: everything counted');
    await expect(page.getByTestId('plan-RL-2')).toContainText('no workload engine is connected at this site');
    await expect(page.getByTestId('rollout-plan-summary')).toContainText('1 to install, 0 to upgrade, 0 already up to date, 1 with a problem');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/rollout-plan-en.png`, fullPage: true });

    await page.getByRole('button', { name: 'Start rollout' }).click();
    const detail = page.getByTestId('rollout-detail');
    await expect(detail.getByTestId('rollout-site-RL-1')).toContainText('Healthy', { timeout: 120_000 });
    await expect(detail.getByTestId('rollout-state')).toHaveText('Completed');
    await expect(detail.getByTestId('rollout-site-RL-2')).toContainText('Skipped');
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toContain('rolled out by EdgeCab');
    await detail.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/rollout-progress-en.png`, fullPage: true });

    // The site's integrity report now holds the app, its containers checked against the signed release (in both languages).
    const sitePage = await page.context().newPage();
    await sitePage.goto(`/#/sites/${firstSite}`);
    const appRow = sitePage.getByTestId('integrity-app-row-branch-web');
    await expect(appRow).toContainText('Matches the signed release', { timeout: 30_000 });
    await expect(appRow).toContainText('Against the release signed by');
    await sitePage.getByTestId('integrity-apps').scrollIntoViewIfNeeded();
    await sitePage.screenshot({ path: `${SCREENSHOT_DIR}/integrity-apps-en.png`, fullPage: true });
    await sitePage.getByLabel('Language').selectOption('zh-CN');
    await expect(appRow).toContainText('与已签名的版本一致');
    await sitePage.screenshot({ path: `${SCREENSHOT_DIR}/integrity-apps-zh.png`, fullPage: true });
    await sitePage.getByLabel('语言').selectOption('en');
    await sitePage.close();

    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(detail.getByTestId('rollout-state')).toHaveText('已完成');
    await expect(detail.getByTestId('rollout-site-RL-1')).toContainText('健康');
    // What the core said in English, now in Chinese: why a site was skipped, how the rollout ended.
    await expect(detail.getByTestId('rollout-site-RL-2').getByTestId('rollout-site-detail')).toHaveText('该网点未连接工作负载引擎');
    await expect(detail.getByTestId('rollout-detail-text')).toHaveText('1 个网点健康，0 个失败');

    // The dry run's problems in Chinese: a bad parameter and a site without an engine; a site already on the version has nothing to do.
    await page.locator('#deploy-param-HTTP_PORT').fill('99999');
    await page.getByRole('button', { name: '预演' }).click();
    await expect(page.getByTestId('plan-RL-1').getByTestId('plan-problems')).toHaveText('HTTP_PORT：应为 1 到 65535 之间的端口');
    await expect(page.getByTestId('plan-RL-2').getByTestId('plan-problems')).toHaveText('HTTP_PORT：应为 1 到 65535 之间的端口；该网点未连接工作负载引擎');
    await expect(page.getByTestId('rollout-plan')).not.toContainText('no workload engine');
    await page.getByTestId('rollout-plan').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/rollout-plan-zh.png`, fullPage: true });
    await page.locator('#deploy-param-HTTP_PORT').fill(String(port));

    page.once('dialog', (dialog) => void dialog.accept());
    await detail.getByRole('button', { name: '全部回滚' }).click();
    await expect(detail.getByTestId('rollout-state')).toHaveText('已回滚', { timeout: 60_000 });
    // The rollout installed the app: going back removed it, as the state and the detail say.
    await expect(detail.getByTestId('rollout-site-RL-1').getByTestId('rollout-site-state')).toHaveText('已移除（此前没有版本）');
    await expect(detail.getByTestId('rollout-site-RL-1').getByTestId('rollout-site-detail')).toHaveText('已从网点移除 branch-web');
    await expect(detail.getByTestId('rollout-detail-text')).toHaveText('每个网点都已恢复到部署前的状态');
    // The list counts reverted sites together, whichever way each went back.
    await expect(page.getByTestId('rollouts-table')).toContainText('已恢复到部署前 1');
    await expect.poll(async () => (await engine.podman('ps', '-a', '--filter', 'label=edgecab.app=branch-web', '--format', '{{.Names}}')).trim()).toBe('');
    await detail.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/rollout-progress-zh.png`, fullPage: true });
  });
});
