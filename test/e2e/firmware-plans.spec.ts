import type { CabinetView } from '../../shared/domain/cabinet.js';
import { newPublisherKeys } from '../../main/core/services/apps/signing.js';
import { LabBmc } from '../../main/lab/redfish/bmc.js';
import { descriptionJson, testPackage } from '../support/firmware-packages.js';
import { api, apiPost, expect, SCREENSHOT_DIR, test } from './fixtures.js';

/**
 * Upgrade plans in a real browser against a real `edgecab serve` and two lab
 * BMCs in one cabinet (one stages for OnReset, one applies only at once): a
 * package uploaded over REST (multipart); a plan whose window is hours away
 * dry-run, started, staging the first server without any reset and leaving
 * the Immediate-only one waiting for the window, then cancelled; then the
 * same upgrade run now, by hand, to both servers verified at the new
 * version — in English and Chinese; then a newer package run by hand from
 * a server's own page.
 */
test.use({ serverName: 'firmware-plans' });

const MOCKUP = 'assets/lab/redfish-rackmount1';
const BMC_FIRMWARE = '/redfish/v1/UpdateService/FirmwareInventory/BMC';

/** A window that opens in about six hours, Shanghai time: never open during the test. */
function farWindowStart(): string {
  const later = new Date(Date.now() + 6 * 3_600_000);
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(later);
}

test.describe('Firmware upgrade plans', () => {
  const bmcs: LabBmc[] = [];
  test.beforeAll(async () => {
    bmcs.push(await new LabBmc({ mockupDir: MOCKUP, host: '127.0.0.1', users: { admin: 'Bmc-Lab-7' }, taskDurationMs: 200, firmware: { applyTimes: ['Immediate', 'OnReset'] } }).start());
    bmcs.push(await new LabBmc({ mockupDir: MOCKUP, host: '127.0.0.1', users: { admin: 'Bmc-Lab-7' }, taskDurationMs: 200, firmware: { applyTimes: ['Immediate'] } }).start());
  });
  test.afterAll(async () => {
    for (const bmc of bmcs) await bmc.stop();
  });

  test('a plan dry-run, staged without a reset and waiting for its window, cancelled; then run now to every server verified, in English and Chinese', async ({ page, edgecab }) => {
    const url = edgecab.url;
    const site = (await (await apiPost(url, '/sites', { name: 'Huzhou Silk Market', code: 'HZ-FW-01', latitude: 30.9, longitude: 120.1 })).json()) as { id: string };
    const cabinet = (await (await apiPost(url, `/sites/${site.id}/cabinet`, { templateId: 'edge-12u' })).json()) as CabinetView;
    const servers = cabinet.devices.filter((device) => device.kind === 'server');
    for (const [index, server] of servers.entries()) {
      const bmc = bmcs[index]!;
      expect((await api(url, `/devices/${server.id}/connection`, { method: 'PUT', body: JSON.stringify({ protocol: 'redfish', url: bmc.url, username: 'admin', password: 'Bmc-Lab-7', fingerprint: bmc.fingerprint }) })).status).toBe(200);
      expect((await api(url, `/devices/${server.id}/refresh`, { method: 'POST' })).status).toBe(200);
    }
    // The package over REST, as an upper-level system would upload it, signed by a trusted publisher (only signed packages are sent).
    const publisher = newPublisherKeys();
    expect((await apiPost(url, '/apps/publishers', { name: 'Contoso firmware', publicKey: publisher.publicKey })).status).toBe(201);
    const pkg = testPackage({ version: '1.46.0', models: ['3500'], privateKeyPem: publisher.privateKey, image: Buffer.concat([Buffer.from('VERSION=1.46.0\n'), Buffer.alloc(300 * 1024, 3)]) });
    const form = new FormData();
    form.append('description', new Blob([descriptionJson(pkg.description)]), 'bmc.json');
    form.append('image', new Blob([new Uint8Array(pkg.image)]), 'bmc-1.46.0.bin');
    const encoded = new Response(form);
    const uploaded = await api(url, '/firmware/packages', { method: 'POST', body: await encoded.arrayBuffer(), headers: { 'content-type': encoded.headers.get('content-type')! } });
    expect(uploaded.status).toBe(201);

    await page.goto('/#/firmware?tab=plans');
    const panel = page.getByTestId('firmware-plans');
    await expect(panel.getByText('No plan yet.')).toBeVisible();
    await panel.getByRole('button', { name: 'New plan' }).click();
    const form1 = page.getByTestId('firmware-plan-form');
    await form1.getByLabel('Name').fill('Huzhou BMC, tonight');
    await form1.getByRole('checkbox', { name: /BMC 1\.46\.0/ }).check();
    await form1.getByRole('checkbox', { name: /Huzhou Silk Market/ }).check();
    await form1.getByLabel('Window starts (local time)').fill(farWindowStart());
    await form1.getByLabel('Window length (minutes)').fill('60');
    await expect(form1.getByRole('button', { name: 'Start plan' })).toBeDisabled();
    await form1.getByRole('button', { name: 'Dry run' }).click();
    const preview = form1.getByTestId('firmware-plan-preview');
    await expect(preview).toContainText('2 device(s) in 1 wave(s)');
    await expect(preview.getByTestId(`firmware-plan-row-${servers[0]!.id}`)).toContainText('1.45.455b66-rev4 → 1.46.0');
    await expect(preview.getByTestId(`firmware-plan-row-${servers[0]!.id}`)).toContainText('Staged, activated by a restart in the window');
    await expect(preview.getByTestId(`firmware-plan-row-${servers[1]!.id}`)).toContainText('Sent and applied in the window');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/firmware-plan-dry-run-en.png`, fullPage: true });
    await form1.getByRole('button', { name: 'Start plan' }).click();
    await expect(panel.getByText('Plan “Huzhou BMC, tonight” started.')).toBeVisible();
    const progress = panel.getByTestId('firmware-plan-progress');
    await expect(progress.getByTestId(`firmware-plan-row-${servers[0]!.id}`)).toHaveAttribute('data-phase', 'staged', { timeout: 20_000 });
    await expect(progress.getByTestId(`firmware-plan-row-${servers[1]!.id}`)).toHaveAttribute('data-phase', 'waiting');
    await expect(progress.getByTestId(`firmware-plan-row-${servers[1]!.id}`)).toContainText('Waiting for the window');
    // Staged, nothing reset, nothing changed.
    expect(bmcs.map((bmc) => bmc.updates.counts.resets)).toEqual([0, 0]);
    expect(bmcs.map((bmc) => bmc.resource(BMC_FIRMWARE)!.Version)).toEqual(['1.45.455b66-rev4', '1.45.455b66-rev4']);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/firmware-plan-staged-en.png`, fullPage: true });
    await progress.getByRole('button', { name: 'Cancel plan' }).click();
    await expect(panel.getByTestId('firmware-plan-list').locator('tbody tr').first()).toContainText('Cancelled');

    // By hand: the same upgrade, no window, run now.
    await panel.getByRole('button', { name: 'New plan' }).click();
    const form2 = page.getByTestId('firmware-plan-form');
    await form2.getByLabel('Name').fill('Huzhou BMC, now');
    await form2.getByRole('checkbox', { name: /BMC 1\.46\.0/ }).check();
    await form2.getByRole('checkbox', { name: /Huzhou Silk Market/ }).check();
    await form2.getByLabel('No window: run now (an upgrade by hand)').check();
    await form2.getByRole('button', { name: 'Dry run' }).click();
    await expect(form2.getByTestId('firmware-plan-preview')).toContainText('2 device(s)');
    await form2.getByRole('button', { name: 'Start plan' }).click();
    const rows = panel.getByTestId('firmware-plan-progress').locator('tbody tr');
    await expect(rows.filter({ hasText: 'Verified' })).toHaveCount(2, { timeout: 60_000 });
    await expect(panel.getByTestId('firmware-plan-list').locator('tbody tr').first()).toContainText('Completed', { timeout: 10_000 });
    expect(bmcs.map((bmc) => bmc.resource(BMC_FIRMWARE)!.Version)).toEqual(['1.46.0', '1.46.0']);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/firmware-plan-done-en.png`, fullPage: true });

    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(page.getByRole('tab', { name: '升级计划' })).toBeVisible();
    await expect(rows.filter({ hasText: '已验证' })).toHaveCount(2);
    await expect(panel.getByTestId('firmware-plan-list').locator('tbody tr').first()).toContainText('已完成');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/firmware-plan-done-zh-CN.png`, fullPage: true });
    await page.getByLabel('语言').selectOption('en');

    // By hand from the device page: its plans listed; a newer package picked, what will happen shown, run now.
    const next = testPackage({ version: '1.47.0', models: ['3500'], privateKeyPem: publisher.privateKey });
    const form3 = new FormData();
    form3.append('description', new Blob([descriptionJson(next.description)]), 'bmc.json');
    form3.append('image', new Blob([new Uint8Array(next.image)]), 'bmc-1.47.0.bin');
    const encoded3 = new Response(form3);
    expect((await api(url, '/firmware/packages', { method: 'POST', body: await encoded3.arrayBuffer(), headers: { 'content-type': encoded3.headers.get('content-type')! } })).status).toBe(201);
    await page.goto(`/#/devices/${servers[0]!.id}`);
    const upgrade = page.getByTestId('firmware-device-upgrade');
    await expect(upgrade.getByTestId('firmware-device-steps').locator('tbody tr')).toHaveCount(2);
    await expect(upgrade.getByTestId('firmware-device-steps').locator('tbody tr').first()).toContainText('Verified');
    await upgrade.getByLabel('Package').selectOption({ label: 'Contoso BMC 1.47.0' });
    await upgrade.getByRole('button', { name: 'See what will happen' }).click();
    await expect(upgrade.getByTestId('firmware-device-preview')).toContainText('BMC 1.46.0 → 1.47.0: Sent and applied in the window');
    await upgrade.getByRole('button', { name: 'Run now' }).click();
    const steps = upgrade.getByTestId('firmware-device-steps').locator('tbody tr');
    await expect(steps).toHaveCount(3);
    await expect(steps.first()).toContainText('BMC 1.47.0 by hand');
    await expect(steps.first()).toHaveAttribute('data-phase', 'verified', { timeout: 30_000 });
    await expect(page.getByTestId('firmware-component-redfish:BMC').locator('td').nth(1)).toHaveText('1.47.0', { timeout: 10_000 });
    expect(bmcs[0]!.resource(BMC_FIRMWARE)!.Version).toBe('1.47.0');
    await page.getByTestId('firmware').screenshot({ path: `${SCREENSHOT_DIR}/firmware-device-by-hand-en.png` });
  });
});
