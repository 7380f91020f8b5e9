import i18next, { type TFunction } from 'i18next';
import { catalogs, type Language } from '../../shared/i18n/index.js';

/** The UI's catalogs loaded as the renderer loads them (English as the fallback), for tests of what a screen would say. */
const i18n = i18next.createInstance();
await i18n.init({ resources: { en: { translation: catalogs.en }, 'zh-CN': { translation: catalogs['zh-CN'] } }, lng: 'en', fallbackLng: 'en', interpolation: { escapeValue: false }, returnNull: false, showSupportNotice: false });

/** The UI's `t` in a language. */
export function uiT(language: Language): TFunction {
  return i18n.getFixedT(language);
}
