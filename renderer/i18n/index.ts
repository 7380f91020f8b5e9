import i18next, { type TFunction } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { catalogs, LANGUAGES, pickLanguage, type Language } from '../../shared/i18n/index.js';
import type { FieldIssue } from '../../shared/domain/validation.js';

const STORAGE_KEY = 'edgecab.language';

function storedLanguage(): Language | null {
  const stored = window.localStorage.getItem(STORAGE_KEY);
  return (LANGUAGES as readonly string[]).includes(stored ?? '') ? (stored as Language) : null;
}

/** The user's choice if any, else the system language. */
export function initialLanguage(): Language {
  return storedLanguage() ?? pickLanguage(navigator.languages.length ? navigator.languages : [navigator.language]);
}

export async function initI18n(): Promise<typeof i18next> {
  await i18next.use(initReactI18next).init({
    resources: { en: { translation: catalogs.en }, 'zh-CN': { translation: catalogs['zh-CN'] } },
    lng: initialLanguage(),
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = i18next.language;
  return i18next;
}

export async function switchLanguage(language: Language): Promise<void> {
  window.localStorage.setItem(STORAGE_KEY, language);
  await i18next.changeLanguage(language);
  document.documentElement.lang = language;
}

/** A field issue in the user's language: field-specific text, else generic by code, else the core's message. */
export function issueText(t: TFunction, issue: FieldIssue): string {
  for (const key of [`validation.${issue.field}.${issue.code}`, `validation.${issue.code}`]) {
    if (i18next.exists(key)) return t(key);
  }
  return issue.message;
}
