import type { TFunction } from 'i18next';
import { useEffect, useState } from 'react';

/** "just now", "5 min ago", … for a reading's time; re-rendered every 30 s by useNow(). */
export function ageText(t: TFunction, iso: string | null, now: number): string {
  if (!iso) return t('site.never');
  const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (seconds < 60) return t('site.age.now');
  if (seconds < 3600) return t('site.age.minutes', { count: Math.floor(seconds / 60) });
  if (seconds < 86_400) return t('site.age.hours', { count: Math.floor(seconds / 3600) });
  return t('site.age.days', { count: Math.floor(seconds / 86_400) });
}

export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
