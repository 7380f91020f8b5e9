import { startPodman, type PodmanService } from '../support/podman.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { freeTcpPort } from '../support/ports.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFile, newPublisher, webManifest } from '../support/app-images.js';
import { api, apiPost, expect, SCREENSHOT_DIR, test } from './fixtures.js';

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

  test('a release is deployed to the site from its page: transferred, started and healthy on the engine, in English and Chinese', async ({ page, edgecab }) => {
    test.setTimeout(120_000);
    // The release: a busybox page made by Podman, saved, signed; the engine then forgets the image so that EdgeCab must send it.
    const dir = mkdtempSync(join(tmpdir(), 'edgecab-e2e-deploy-'));
    try {
      await engine.importBusybox('localhost/branch-web:1', '<h1>deployed by EdgeCab</h1>');
      const id = `sha256:${(await engine.podman('inspect', '--format', '{{.Id}}', 'localhost/branch-web:1')).trim().replace(/^sha256:/, '')}`;
      await engine.podman('save', '-o', join(dir, 'images.tar'), 'localhost/branch-web:1');
      await engine.podman('rmi', '--force', 'localhost/branch-web:1');
      const publisher = newPublisher();
      expect((await apiPost(edgecab.url, '/apps/publishers', { name: 'Branch IT', publicKey: publisher.publicKeyPem })).status).toBe(201);
      const manifest = webManifest('1.0.0', id, { containers: [{ name: 'web', image: id, command: ['/bin/httpd', '-f', '-p', '127.0.0.1:${HTTP_PORT}', '-h', '/www'], health: { command: ['/bin/wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:${HTTP_PORT}/'], intervalSeconds: 1 } }] });
      const bundle = await bundleFile(dir, 'release', manifest, readFileSync(join(dir, 'images.tar')), publisher);
      const form = new FormData();
      form.append('file', new File([readFileSync(bundle)], 'release.ecapp'));
      const request = new Request('http://upload.invalid/', { method: 'POST', body: form });
      const pushed = await api(edgecab.url, '/apps/releases', { method: 'POST', headers: { 'content-type': request.headers.get('content-type')! }, body: Buffer.from(await request.arrayBuffer()) });
      expect(pushed.status).toBe(201);
      const port = await freeTcpPort();

      await page.goto('/#/sites');
      await page.getByTestId('site-row-GD-SZ-21').getByRole('link', { name: 'Open' }).click();
      const card = page.getByTestId('site-apps');
      await expect(card).toContainText('No app has been deployed here yet.');
      const deploy = card.getByRole('form', { name: 'Deploy a release here' });
      await deploy.getByLabel('App').selectOption('branch-web');
      await deploy.getByLabel('HTTP port (HTTP_PORT)').fill('99999');
      await deploy.getByRole('button', { name: 'Deploy' }).click();
      await expect(card.getByTestId('deploy-error')).toContainText('HTTP_PORT: a port from 1 to 65535');
      await deploy.getByLabel('HTTP port (HTTP_PORT)').fill(String(port));
      await deploy.getByLabel('Healthy for (seconds)').fill('2');
      await deploy.getByRole('button', { name: 'Deploy' }).click();
      await expect(card.getByTestId('site-app-branch-web')).toContainText('Healthy', { timeout: 90_000 });
      // The engine had no image: EdgeCab sent it.
      await expect(card.getByTestId('site-app-branch-web')).toContainText(/\d(\.\d)? MB sent/);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toContain('deployed by EdgeCab');
      await card.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SCREENSHOT_DIR}/site-apps-en.png`, fullPage: true });
      await page.getByLabel('Language').selectOption('zh-CN');
      await expect(card.getByTestId('site-app-branch-web')).toContainText('健康');
      await card.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SCREENSHOT_DIR}/site-apps-zh.png`, fullPage: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
