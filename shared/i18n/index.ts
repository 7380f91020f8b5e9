import { en } from './en.js';
import { zhCN } from './zh-CN.js';

export type { Catalog } from './en.js';
export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];
export const catalogs = { en, 'zh-CN': zhCN } as const;

/** zh, zh-CN, zh-Hans… → zh-CN; anything else → en. */
export function pickLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    if (/^zh\b/i.test(tag)) return 'zh-CN';
    if (/^en\b/i.test(tag)) return 'en';
  }
  return 'en';
}
