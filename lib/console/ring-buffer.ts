/**
 * The newest `capacity` items pushed, oldest first: what the console keeps of a history never grows
 * past it, however long the service runs.
 */
export class RingBuffer<T> {
  // Slots in push order, wrapping at capacity; `start` is the oldest once the buffer is full.
  private readonly slots: T[] = [];
  private start = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring buffer capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.slots.length;
  }

  push(item: T): void {
    if (this.slots.length < this.capacity) {
      this.slots.push(item);
      return;
    }
    this.slots[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
  }

  /** Every item held, oldest first. */
  toArray(): T[] {
    return [...this.slots.slice(this.start), ...this.slots.slice(0, this.start)];
  }

  /** True when some held item satisfies `test`. */
  some(test: (item: T) => boolean): boolean {
    return this.slots.some(test);
  }
}
