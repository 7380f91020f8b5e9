import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFile, dockerArchive, newPublisher, testImage, webManifest, type Publisher } from '../support/app-images.js';
import { expect, SCREENSHOT_DIR, test } from './fixtures.js';

test.use({ serverName: 'apps' });

test.describe('App repository', () => {
  let dir: string;
  let publisher: Publisher;
  let good = '';
  let upgrade = '';
  let tampered = '';
  let stranger = '';

  test.beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edgecab-e2e-apps-'));
    publisher = newPublisher();
    // A "system" layer of some size, so that the progress bar has something to show, shared by both versions.
    const base = { 'bin/busybox': 'x'.repeat(3_000_000) };
    const v1 = await testImage('localhost/branch-web:1', [base, { 'www/index.html': '<h1>v1</h1>' }]);
    const v2 = await testImage('localhost/branch-web:2', [base, { 'www/index.html': '<h1>v2</h1>' }]);
    good = await bundleFile(dir, 'branch-web-1.0.0', webManifest('1.0.0', v1.id), await dockerArchive([v1]), publisher);
    upgrade = await bundleFile(dir, 'branch-web-1.1.0', webManifest('1.1.0', v2.id), await dockerArchive([v2]), publisher);
    tampered = await bundleFile(dir, 'tampered', webManifest('1.2.0', v1.id), await dockerArchive([v1], { layer: (layer) => Buffer.from(layer.toString('latin1').replace('v1', 'v6'), 'latin1') }), publisher);
    stranger = await bundleFile(dir, 'stranger', webManifest('1.3.0', v1.id), await dockerArchive([v1]), newPublisher());
  });
  test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('trust a publisher, upload two versions with progress, see a tampered bundle and a stranger refused, in English and Chinese', async ({ page }) => {
    await page.goto('/#/apps');
    await expect(page.getByRole('heading', { name: 'App repository' })).toBeVisible();
    await expect(page.getByTestId('apps-publishers')).toContainText('No publisher is trusted yet');

    // A key that is not a PEM public key is refused next to the field.
    await page.getByLabel('Publisher').fill('Branch IT');
    await page.getByLabel('Public key (PEM)').fill('not a key');
    await page.getByRole('button', { name: 'Trust this key' }).click();
    await expect(page.getByTestId('apps-publishers')).toContainText('An Ed25519 public key in PEM');
    await page.getByLabel('Public key (PEM)').fill(publisher.publicKeyPem);
    await page.getByRole('button', { name: 'Trust this key' }).click();
    await expect(page.getByTestId('apps-publishers')).toContainText('Branch IT is trusted');

    const upload = page.getByTestId('apps-upload');
    await page.getByLabel('Release bundle').setInputFiles(stranger);
    await upload.getByRole('button', { name: 'Upload' }).click();
    await expect(page.getByTestId('apps-upload-error')).toContainText('signed by a key no administrator trusts');

    await page.getByLabel('Release bundle').setInputFiles(tampered);
    await upload.getByRole('button', { name: 'Upload' }).click();
    await expect(page.getByTestId('apps-upload-error')).toContainText(/layer 2 .* hashes to sha256:.*changed or damaged/);

    await page.getByLabel('Release bundle').setInputFiles(good);
    await upload.getByRole('button', { name: 'Upload' }).click();
    await expect(page.getByTestId('apps-upload-result')).toContainText('branch-web 1.0.0 is in the repository: 3 new parts (3.0 MB), 0 already held');
    await page.getByLabel('Release bundle').setInputFiles(upgrade);
    await upload.getByRole('button', { name: 'Upload' }).click();
    // The 3 MB layer both versions share is not stored again.
    await expect(page.getByTestId('apps-upload-result')).toContainText('branch-web 1.1.0 is in the repository: 2 new parts');
    await expect(page.getByTestId('apps-upload-result')).toContainText('1 already held');

    const table = page.getByTestId('apps-table');
    await expect(table).toContainText('Branch web page');
    // Both versions need 3 MB: the shared layer counts once.
    await expect(table.getByRole('row').nth(1)).toContainText('3.0 MB');
    await table.getByRole('button', { name: 'Branch web page' }).click();
    const releases = page.getByTestId('apps-releases');
    await expect(releases.getByRole('row')).toHaveCount(3);
    await expect(releases.getByRole('row').nth(1)).toContainText('1.1.0');
    await expect(releases.getByRole('row').nth(1)).toContainText('Signature trusted');
    await expect(releases).toContainText('HTTP port (HTTP_PORT) = 18080');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/apps-repository-en.png`, fullPage: true });

    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(page.getByRole('heading', { name: '应用仓库' })).toBeVisible();
    await expect(page.getByTestId('apps-table')).toContainText('网点网页');
    await expect(page.getByTestId('apps-releases')).toContainText('签名可信');
    await expect(page.getByTestId('apps-upload-result')).toContainText('branch-web 1.1.0 已入库：新增 2 个数据块');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/apps-repository-zh.png`, fullPage: true });

    // Removing the publisher leaves its releases, marked untrusted.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('apps-publishers').getByRole('button', { name: '取消信任' }).click();
    await expect(page.getByTestId('apps-publishers')).toContainText('尚未信任任何发布者');
    await expect(page.getByTestId('apps-releases').getByRole('row').nth(1)).toContainText('发布者已不再受信任');
  });
});
