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

function messageOf(detail: unknown): string {
  if (detail instanceof Error) return detail.message;
  return typeof detail === 'string' ? detail : JSON.stringify(detail);
}

/**
 * The operations of a suite that failed. A figure measured over failed
 * operations is not a figure: every failure is counted by kind, the first
 * of each kind is named, and the suite exits non-zero when there is any.
 */
export class Failures {
  private readonly kinds = new Map<string, { count: number; first: string }>();

  constructor(private readonly suite: string) {}

  add(kind: string, detail: unknown): void {
    const entry = this.kinds.get(kind);
    if (entry) entry.count += 1;
    else this.kinds.set(kind, { count: 1, first: messageOf(detail) });
  }

  get total(): number {
    let total = 0;
    for (const entry of this.kinds.values()) total += entry.count;
    return total;
  }

  /** Says what failed on stderr and sets a non-zero exit code; silent when nothing failed. */
  report(): void {
    if (this.total === 0) return;
    console.error(`bench ${this.suite}: ${this.total} operation(s) failed; the figures above are not to be trusted`);
    for (const [kind, entry] of this.kinds) console.error(`  ${kind}: ${entry.count} failed, first: ${entry.first}`);
    process.exitCode = 1;
  }
}
