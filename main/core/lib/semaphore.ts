/** At most `size` holders at once; the others wait in the order they asked. */
export class Semaphore {
  private holders = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private size: number) {}

  /** A new size applies to the next holders (one already in keeps its place). */
  resize(size: number): void {
    this.size = size;
    this.wake();
  }

  get inUse(): number {
    return this.holders;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.holders >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.holders += 1;
    try {
      return await work();
    } finally {
      this.holders -= 1;
      this.wake();
    }
  }

  private wake(): void {
    while (this.holders < this.size && this.waiting.length > 0) {
      this.holders += 1;
      this.waiting.shift()!();
    }
  }
}
