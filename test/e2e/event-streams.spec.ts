import { api, expect, SCREENSHOT_DIR, test } from './fixtures.js';
import type { MonitorStatus } from '../../shared/domain/monitoring.js';

// A server that may hold one BMC event stream: the lab's other BMCs are past the cap.
test.use({ serverName: 'event-streams', serverEnv: { EDGECAB_MAX_EVENT_STREAMS: '1' } });

test('the alarm console says how many BMC event streams are held, and that the BMCs past the cap are polled more often, in English and Chinese', async ({ page, edgecab }) => {
  await page.goto('/#/map');
  const offer = page.getByTestId('lab-offer');
  await offer.getByLabel('Cabinets').fill('1');
  await offer.getByRole('button', { name: 'Start a lab' }).click();
  await expect(page).toHaveURL(/#\/lab$/, { timeout: 30_000 });
  // Streams are followed from the monitor's next look at its devices (every 10 s).
  await expect
    .poll(async () => ((await (await api(edgecab.url, '/monitor')).json()) as MonitorStatus).events, { timeout: 30_000 })
    .toMatchObject({ streams: 1, streamCap: 1, cappedHealthSeconds: 30 });
  const status = ((await (await api(edgecab.url, '/monitor')).json()) as MonitorStatus).events;
  expect(status.streamsCapped).toBeGreaterThan(0);

  await page.getByRole('link', { name: 'Alarms' }).click();
  const line = page.getByTestId('monitor-status');
  await expect(line).toContainText(`BMC event streams: 1 open; ${status.streamsCapped} more BMCs are past the limit of 1 streams`);
  await expect(line).toContainText('polled every 30 s instead');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/event-streams-en.png`, fullPage: true });
  await page.getByLabel('Language').selectOption('zh-CN');
  await expect(line).toContainText(`BMC 事件流：已打开 1 条；另有 ${status.streamsCapped} 台 BMC 超出 1 条事件流的上限`);
  await expect(line).toContainText('改为每 30 秒采集一次');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/event-streams-zh.png`, fullPage: true });
  await page.getByLabel('语言').selectOption('en');
});
