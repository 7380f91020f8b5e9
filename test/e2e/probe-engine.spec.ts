import { startPodman, type PodmanService } from '../support/podman.js';
import { expect, SCREENSHOT_DIR, test } from './fixtures.js';

test.use({ serverName: 'probe-engine' });

test.describe("Check a site's workload engine", () => {
  let engine: PodmanService;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    engine = await startPodman();
    await engine.importBusybox('edgecab/web:1');
    await engine.podman('volume', 'create', 'web-data');
    await engine.podman('run', '-d', '--name', 'web', '--network', 'host', 'edgecab/web:1', '/bin/httpd', '-f', '-p', '127.0.0.1:0', '-h', '/www');
    await engine.podman('create', '--name', 'idle', 'edgecab/web:1', '/bin/sleep', '1');
  });
  test.afterAll(async () => engine?.stop());

  test('a Podman engine is read over its socket: version, host, disk, containers, images and volumes, in English and Chinese; clear text is refused next to the field', async ({ page }) => {
    await page.goto('/#/probe');
    await page.getByText('Workload engine (Docker or Podman)').click();
    await page.getByLabel('Engine address').fill('http://127.0.0.1:2375');
    await page.getByRole('button', { name: 'Check device' }).click();
    await expect(page.getByText(/clear-text TCP lets anyone on the network run containers as root/)).toBeVisible();

    await page.getByLabel('Engine address').fill(engine.url);
    await page.getByRole('button', { name: 'Check device' }).click();
    const report = page.getByTestId('engine-report');
    await expect(report).toContainText('Podman Engine');
    await expect(page.getByTestId('engine-disk')).toContainText('free of');
    const containers = page.getByTestId('engine-containers');
    await expect(containers).toContainText('Containers (2, 1 running)');
    await expect(containers.getByRole('row', { name: /^web / })).toContainText('running');
    await expect(containers.getByRole('row', { name: /^idle / })).toContainText('created');
    await expect(page.getByTestId('engine-images')).toContainText('localhost/edgecab/web:1');
    await expect(page.getByTestId('engine-volumes')).toContainText('web-data');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/probe-engine-en.png`, fullPage: true });

    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(containers).toContainText('容器（2 个，1 个运行中）');
    await expect(page.getByTestId('engine-disk')).toContainText('可用');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/probe-engine-zh.png`, fullPage: true });

    // An engine that is not there is explained, not a crash.
    await page.getByLabel('引擎地址').fill('unix:/nonexistent/podman.sock');
    await page.getByRole('button', { name: '检测设备' }).click();
    await expect(page.getByTestId('probe-failure')).toContainText('该地址无应答');
  });
});
