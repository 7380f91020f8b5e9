import type { TFunction } from 'i18next';

/** A catalog entry in the UI language, or `fallback` (the core's own English text) when the catalog has no such key. */
export function catalogText(t: TFunction, key: string, params: Record<string, string | number>, fallback: string): string {
  const text = t(key, params);
  return text === key ? fallback : text;
}
