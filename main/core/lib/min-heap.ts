/** A binary min-heap ordered by `key`: push and pop in O(log n), peek in O(1). */
export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly key: (item: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let child = items.length - 1;
    const key = this.key(item);
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (this.key(items[parent]!) <= key) break;
      items[child] = items[parent]!;
      child = parent;
    }
    items[child] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    const key = this.key(last);
    let parent = 0;
    for (;;) {
      const left = 2 * parent + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const smaller = right < items.length && this.key(items[right]!) < this.key(items[left]!) ? right : left;
      if (this.key(items[smaller]!) >= key) break;
      items[parent] = items[smaller]!;
      parent = smaller;
    }
    items[parent] = last;
    return top;
  }
}
