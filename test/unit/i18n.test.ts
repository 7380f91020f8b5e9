import { describe, expect, it } from 'vitest';
import { catalogs, pickLanguage } from '../../shared/i18n/index.js';
import type { RolloutMessage, RolloutSite } from '../../shared/domain/rollouts.js';
import { joinParts, rolloutMessagesText, siteDetailText, siteStateLabel } from '../../renderer/features/rollouts/rollout-text.js';
import { uiT } from '../support/ui-i18n.js';

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => keys(child, prefix ? `${prefix}.${key}` : key));
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{(\w+)(?:,[^}]*)?\}\}/g)].map((match) => match[1]!).sort();
}

describe('i18n catalogs', () => {
  it('zh-CN and en have the same keys', () => {
    expect(keys(catalogs['zh-CN']).sort()).toEqual(keys(catalogs.en).sort());
  });

  it('every translation keeps the same placeholders and none is empty', () => {
    const lookup = (catalog: unknown, key: string) =>
      key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], catalog) as string;
    for (const key of keys(catalogs.en)) {
      const english = lookup(catalogs.en, key);
      const chinese = lookup(catalogs['zh-CN'], key);
      expect(chinese.trim(), key).not.toBe('');
      expect(placeholders(chinese), key).toEqual(placeholders(english));
    }
  });

  it('picks Chinese for any zh tag and English otherwise', () => {
    expect(pickLanguage(['zh-CN'])).toBe('zh-CN');
    expect(pickLanguage(['zh-Hans-CN', 'en'])).toBe('zh-CN');
    expect(pickLanguage(['fr-FR', 'en-US'])).toBe('en');
    expect(pickLanguage(['de'])).toBe('en');
    expect(pickLanguage([])).toBe('en');
  });

  it('says a rollout text from its messages in either language, joined as each language joins them; English when a message is unknown', () => {
    const en = uiT('en');
    const zh = uiT('zh-CN');
    // A failure rolled back: a lead-in, the engine's state (named in the UI language) with its own words kept, a count in brackets.
    const messages: RolloutMessage[] = [
      { key: 'rolledBackAfter', params: { version: '3.0.0' } },
      { key: 'containerStoppedCodeError', params: { container: 'web-3', status: 'exited', code: 3, error: 'OCI runtime error' } },
      { key: 'timesInARow', params: { count: 2 } },
      { key: 'notHealthyInTime', params: { seconds: 10 } },
    ];
    expect(rolloutMessagesText(en, 'en', messages, 'x')).toBe('3.0.0 failed and was rolled back: web-3 is exited (exit code 3): OCI runtime error (2 times in a row); not healthy within 10 s of starting');
    expect(rolloutMessagesText(zh, 'zh-CN', messages, 'x')).toBe('3.0.0 失败，已回滚：web-3 已退出（退出码 3）：OCI runtime error（连续 2 次）；启动后 10 秒内未达到健康');
    // A state the catalog does not know stays the engine's word.
    expect(rolloutMessagesText(zh, 'zh-CN', [{ key: 'containerStopped', params: { container: 'web-3', status: 'hibernating' } }], 'x')).toBe('web-3 hibernating');
    // A time in local form.
    expect(rolloutMessagesText(zh, 'zh-CN', [{ key: 'queuedOffline', params: { since: '2026-12-01T08:00:00.000Z' } }], 'x')).toMatch(/^排队中：网点自 2026\/12\/1 .+ 起离线$/);
    // No messages, or one a newer core sent that this UI does not know: the core's English as it is.
    expect(rolloutMessagesText(zh, 'zh-CN', [], 'paused by hand')).toBe('paused by hand');
    expect(rolloutMessagesText(zh, 'zh-CN', [{ key: 'pausedByHand', params: {} }, { key: 'fromTheFuture', params: {} }], 'paused by hand; later')).toBe('paused by hand; later');
    expect(joinParts(['a', 'b:', 'c', '(d)'], '; ')).toBe('a; b: c (d)');
    expect(joinParts(['甲', '乙：', '丙', '（丁）'], '；')).toBe('甲；乙：丙（丁）');
  });

  it('names going back from an install a removal: there was no previous version', () => {
    const site = (state: RolloutSite['state'], action: RolloutSite['action'], fromVersion: string | null) => ({ state, action, fromVersion });
    expect(siteStateLabel(uiT('en'), site('reverted', 'install', null))).toBe('Removed (there was no previous version)');
    expect(siteStateLabel(uiT('zh-CN'), site('reverted', 'install', null))).toBe('已移除（此前没有版本）');
    expect(siteStateLabel(uiT('en'), site('reverting', 'install', null))).toBe('Removing');
    expect(siteStateLabel(uiT('en'), site('reverted', 'upgrade', '1.0.0'))).toBe('Back on previous');
    expect(siteStateLabel(uiT('zh-CN'), site('healthy', 'install', null))).toBe('健康');
    expect(siteDetailText(uiT('zh-CN'), 'zh-CN', { detail: 'branch-web removed', detailMessages: [{ key: 'appRemoved', params: { app: 'branch-web' } }] })).toBe('已从网点移除 branch-web');
    expect(siteDetailText(uiT('zh-CN'), 'zh-CN', { detail: null, detailMessages: [] })).toBe('');
  });
});
