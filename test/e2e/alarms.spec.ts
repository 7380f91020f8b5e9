import { api, apiPost, expect, SCREENSHOT_DIR, test } from './fixtures.js';

test.use({ serverName: 'alarms' });

test('a newcomer starts a lab from the first screen, puts a UPS on battery, sees one root alarm with its symptoms, and acknowledges it', async ({ page, context, edgecab }) => {
  // Desktop notifications: allowed, and recorded instead of shown.
  await context.grantPermissions(['notifications']);
  await page.addInitScript(() => {
    const shown: { title: string; body: string }[] = [];
    (window as unknown as { shownNotifications: typeof shown }).shownNotifications = shown;
    class RecordedNotification {
      static permission = 'granted';
      static requestPermission = () => Promise.resolve('granted');
      constructor(title: string, options?: { body?: string }) {
        shown.push({ title, body: options?.body ?? '' });
      }
    }
    (window as unknown as { Notification: unknown }).Notification = RecordedNotification;
  });
  await page.goto('/#/map');
  const offer = page.getByTestId('lab-offer');
  await expect(offer).toBeVisible();
  await offer.getByLabel('Cabinets').fill('2');
  await offer.getByRole('button', { name: 'Start a lab' }).click();
  await expect(page).toHaveURL(/#\/lab$/, { timeout: 30_000 });
  const lab = page.getByTestId('lab-table');
  await expect(lab.getByRole('row')).toHaveCount(2);

  await lab.getByRole('row', { name: /LAB-001/ }).getByRole('button', { name: 'UPS on battery' }).click();
  await expect(lab.getByRole('row', { name: /LAB-001/ }).getByRole('button', { name: 'UPS on battery' })).toHaveAttribute('aria-pressed', 'true');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/lab-en.png`, fullPage: true });

  await page.getByRole('link', { name: 'Alarms' }).click();
  const root = page.getByTestId('alarm-row').filter({ hasText: 'UPS is on battery' });
  await expect(root).toHaveCount(1);
  await expect(page.getByTestId('alarm-row')).toHaveCount(1);
  await expect(root).toContainText('Lab branch 001');
  await root.getByRole('button', { name: '4 related' }).click();
  const symptoms = page.getByTestId('alarm-symptom');
  await expect(symptoms).toHaveCount(4);
  await expect(symptoms.filter({ hasText: 'PDU input voltage' })).toHaveCount(1);
  await expect(page.getByTestId('convergence')).toContainText('alarms shown');
  await expect(page.getByTestId('monitor-status')).toContainText(/Monitoring 14 devices/);
  await page.screenshot({ path: `${SCREENSHOT_DIR}/alarms-en.png`, fullPage: true });

  await root.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(root).toContainText('Acknowledged by');

  // The alarm's own page: cause, symptoms, history with the acknowledgement; a comment is kept.
  await root.getByRole('button', { name: /UPS is on battery/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Details' });
  await expect(dialog.getByRole('list').last()).toContainText('Acknowledged');
  await dialog.getByLabel('Comment').fill('Mains failure at the branch; utility informed');
  await dialog.getByRole('button', { name: 'Add comment' }).click();
  await expect(dialog.getByText(/Mains failure at the branch/)).toBeVisible();
  await dialog.getByRole('button', { name: '×' }).click();

  // Filters: no critical alarm; the major one comes back when major is chosen.
  await page.getByLabel('Critical').check();
  await expect(page.getByText('No alarms match. All clear.')).toBeVisible();
  await page.getByLabel('Major').check();
  await expect(page.getByTestId('alarm-row')).toHaveCount(1);

  // A critical alarm elsewhere pops up a desktop notification.
  await page.getByRole('link', { name: 'Lab', exact: true }).click();
  await lab.getByRole('row', { name: /LAB-002/ }).getByRole('button', { name: 'Temperature out of range' }).click();
  // The lab's air temperature drifts a degree between ticks: the reading is whatever it was when the alarm was raised.
  await expect.poll(() => page.evaluate(() => (window as unknown as { shownNotifications: { title: string; body: string }[] }).shownNotifications)).toEqual([
    { title: 'Critical alarm at Lab branch 002', body: expect.stringMatching(/^Cabinet air reads 4\d °C \(limit 40 °C\)$/) },
  ]);
  await lab.getByRole('row', { name: /LAB-002/ }).getByRole('button', { name: 'Temperature out of range' }).click();
  await page.getByRole('link', { name: 'Alarms' }).click();

  // A maintenance window for the other lab site, and forwarding to a webhook with a too-short secret, then a good one.
  await page.getByRole('button', { name: 'Maintenance' }).click();
  const maintenance = page.getByRole('dialog', { name: 'Maintenance windows' });
  await maintenance.getByLabel('Site').selectOption({ label: 'Lab branch 002' });
  await maintenance.getByLabel('Reason').fill('Battery replacement');
  await maintenance.getByRole('button', { name: 'Plan window' }).click();
  await expect(maintenance.getByTestId('maintenance-list')).toContainText('Lab branch 002');
  await expect(maintenance.getByTestId('maintenance-list')).toContainText('Battery replacement');
  await maintenance.getByRole('button', { name: '×' }).click();
  await page.getByRole('button', { name: 'Forwarding' }).click();
  const forwarding = page.getByRole('dialog', { name: 'Forward alarms' });
  await forwarding.getByLabel('Address').fill('http://127.0.0.1:9/hooks');
  await forwarding.getByLabel('Shared secret').fill('short');
  await forwarding.getByRole('button', { name: 'Save' }).click();
  await expect(forwarding.getByRole('alert')).toContainText('At least 16 characters');
  await forwarding.getByLabel('Shared secret').fill('a-long-enough-shared-secret');
  await forwarding.getByRole('button', { name: 'Save' }).click();
  await expect(forwarding.getByRole('status')).toContainText('Saved.');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/alarm-forwarding-en.png`, fullPage: true });
  await forwarding.getByRole('button', { name: '×' }).click();

  // The UPS page shows every reading with its age, and after a second poll a chart of each metric.
  const labSites = (await (await api(edgecab.url, `/lab`)).json()) as { sites: { siteId: string; code: string }[] };
  const first = labSites.sites.find((site) => site.code === 'LAB-001')!.siteId;
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await apiPost(edgecab.url, `/sites/${first}/poll`, {});
  await page.getByTestId('alarm-row').getByRole('link', { name: 'UPS' }).click();
  await expect(page.getByTestId('metric-chart').first()).toBeVisible();
  await expect(page.getByTestId('device-alarms')).toContainText('UPS is on battery');
  const sensors = page.getByTestId('sensor-table');
  await expect(sensors.getByRole('row', { name: /Battery charge/ })).toContainText('just now');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/device-monitoring-en.png`, fullPage: true });

  await page.getByLabel('Language').selectOption('zh-CN');
  await page.getByRole('link', { name: '告警', exact: true }).click();
  await expect(page.getByRole('heading', { name: '告警' })).toBeVisible();
  await expect(page.getByTestId('alarm-row').first()).toContainText('已由');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/alarms-zh.png`, fullPage: true });
  await page.getByLabel('语言').selectOption('en');
});
