import { startPodman, type PodmanService } from '../support/podman.js';
import { apiPost, expect, SCREENSHOT_DIR, test } from './fixtures.js';

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

  test("a server's workload engine is added on the server's U, connected to its socket and read from the device page, in English and Chinese", async ({ page, edgecab }) => {
    await apiPost(edgecab.url, '/sites', { name: 'Nanshan branch', code: 'GD-SZ-21', latitude: 22.53, longitude: 113.93 });
    await page.goto('/#/sites');
    await page.getByTestId('site-row-GD-SZ-21').getByRole('link', { name: 'Open' }).click();
    await page.getByTestId('template-edge-42u').getByRole('button', { name: 'Use this model' }).click();
    await expect(page.getByRole('heading', { name: 'Set up the cabinet' })).toBeHidden();
    const serverLabel = await page.getByTestId('rack-front').getByTestId('rack-device-srv1').getAttribute('aria-label');
    const serverU = /, U(\d+)/.exec(serverLabel ?? '')![1]!;
    await page.getByRole('button', { name: 'Edit layout' }).click();
    const form = page.getByRole('form', { name: 'Add a device' });
    await form.getByLabel('Kind').selectOption('engine');
    await form.getByLabel('Name').fill('Podman on Compute 1');
    // Where no server is, an engine cannot go.
    await form.getByLabel('Lowest U').fill('42');
    await form.getByRole('button', { name: 'Create' }).click();
    await expect(form).toContainText('a workload engine runs on a server');
    await form.getByLabel('Lowest U').fill(serverU);
    await form.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('button', { name: 'Done' }).click();
    await expect(page.getByTestId('rack-front').getByRole('button', { name: /Podman on Compute 1 — Workload engine/ })).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/site-engine-en.png`, fullPage: true });

    await page.getByTestId('rack-front').getByRole('button', { name: /Podman on Compute 1 — Workload engine/ }).click();
    const section = page.getByTestId('engine-section');
    await section.getByLabel('Engine address').fill('http://10.0.0.20:2375');
    await section.getByRole('button', { name: 'Save' }).click();
    await expect(section).toContainText('clear text is refused');
    await section.getByLabel('Engine address').fill(engine.url);
    await section.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByTestId('engine-containers')).toContainText('Containers (2, 1 running)');
    // What was seen is the device's state.
    await expect(page.getByTestId('device-status')).toHaveText('OK');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/device-engine-en.png`, fullPage: true });
    await page.getByLabel('Language').selectOption('zh-CN');
    await section.getByRole('button', { name: '立即读取' }).click();
    await expect(page.getByTestId('engine-containers')).toContainText('容器（2 个，1 个运行中）');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/device-engine-zh.png`, fullPage: true });
  });
});
