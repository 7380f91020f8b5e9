/** Numbers of the energy screens in the UI language: kWh, money, the efficiency ratio, a change, a day. */

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(language: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${language}\u0000${JSON.stringify(options)}`;
  let format = formatters.get(key);
  if (!format) formatters.set(key, (format = new Intl.NumberFormat(language, options)));
  return format;
}

/** kWh with as many decimals as its size needs: 0.42, 12.4, 1,234. */
export function kwhNumber(value: number, language: string): string {
  const digits = Math.abs(value) < 10 ? 2 : Math.abs(value) < 1000 ? 1 : 0;
  return formatter(language, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

/** A value on a chart's scale: 0, 0.25, 2.5, 10, 250. */
export function axisNumber(value: number, language: string): string {
  const size = Math.abs(value);
  return formatter(language, { maximumFractionDigits: size === 0 || size >= 10 ? 0 : size < 1 ? 2 : 1 }).format(value);
}

/** An amount of money: the currency's own sign where it is an ISO code (¥12.30, CN¥12.30), else "12.30 XYZ". */
export function money(value: number, currency: string, language: string): string {
  try {
    return formatter(language, { style: 'currency', currency, currencyDisplay: 'narrowSymbol', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
  } catch {
    return `${formatter(language, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value)} ${currency}`;
  }
}

/** Input ÷ IT load, e.g. 1.18. */
export function ratio(value: number, language: string): string {
  return formatter(language, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
}

/** A fraction as a signed percentage: +25%, −8%. */
export function change(value: number, language: string): string {
  return formatter(language, { style: 'percent', signDisplay: 'exceptZero', maximumFractionDigits: 0 }).format(value);
}

/** A share of a whole: 42%. */
export function percent(value: number, language: string): string {
  return formatter(language, { style: 'percent', maximumFractionDigits: value < 0.1 ? 1 : 0 }).format(value);
}

/** A local day (YYYY-MM-DD) short: "Dec 3" / "12月3日"; with the weekday when asked. */
export function dayLabel(day: string, language: string, weekday = false): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  return new Intl.DateTimeFormat(language, { month: 'short', day: 'numeric', timeZone: 'UTC', ...(weekday ? { weekday: 'short' } : {}) }).format(date);
}

/** A calendar month (YYYY-MM) as the UI language writes it: "Dec 2026", "2026年12月". */
export function monthLabel(month: string, language: string): string {
  const date = new Date(`${month}-01T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return month;
  return new Intl.DateTimeFormat(language, { year: 'numeric', month: 'short', timeZone: 'UTC' }).format(date);
}

/** Every day from `from` to `to` (YYYY-MM-DD, both included), at most `limit`. */
export function daysBetween(from: string, to: string, limit = 366): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  const days: string[] = [];
  if (Number.isNaN(start) || Number.isNaN(end)) return days;
  for (let time = start; time <= end && days.length < limit; time += 86_400_000) days.push(new Date(time).toISOString().slice(0, 10));
  return days;
}

/** The spans the energy screens offer, in days. */
export const SPANS = [7, 30, 90] as const;
export type Span = (typeof SPANS)[number];

/** A change week on week this large (either way) is highlighted. */
export const BIG_CHANGE = 0.15;
