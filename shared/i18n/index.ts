import { en } from './en.js';
import { zhCN } from './zh-CN.js';
import { FEATURE_CATALOGS } from './features/index.js';
import type { Texts } from './features/feature-catalog.js';

export type { Catalog } from './en.js';
export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];

function withFeatures(base: object, language: Language): Texts {
  const merged: Record<string, Texts | string> = { ...(base as Texts) };
  for (const feature of FEATURE_CATALOGS) {
    if (feature.namespace in merged) throw new Error(`i18n: the namespace "${feature.namespace}" is used twice`);
    merged[feature.namespace] = feature[language];
  }
  return merged;
}

/** The base catalogs plus every feature's texts under its namespace. */
export const catalogs: { readonly en: Texts; readonly 'zh-CN': Texts } = { en: withFeatures(en, 'en'), 'zh-CN': withFeatures(zhCN, 'zh-CN') };

/** zh, zh-CN, zh-Hans… → zh-CN; anything else → en. */
export function pickLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    if (/^zh\b/i.test(tag)) return 'zh-CN';
    if (/^en\b/i.test(tag)) return 'en';
  }
  return 'en';
}
