import { fileURLToPath } from 'node:url';

/** The repository root, from the benchmark bundle in .cache/bench/ or from source. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** One figure, in the format tools rely on: `BENCH <suite>.<figure> <value> <unit>`. */
export function bench(name: string, value: number, unit: string): void {
  const rounded = Math.abs(value) >= 100 ? Math.round(value) : Number(value.toFixed(2));
  console.log(`BENCH ${name} ${rounded} ${unit}`);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}
