import { describe, expect, it } from 'vitest';
import { catalogs, pickLanguage } from '../../shared/i18n/index.js';

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
});
