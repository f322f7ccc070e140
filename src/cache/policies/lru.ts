import type { EvictionPolicy } from '../eviction'

const NONE = -1

/**
 * Exact LRU as a doubly linked list threaded through two Int32Arrays, so no object is made per entry.
 * Every operation is O(1).
 */
export class LruPolicy implements EvictionPolicy {
  private next: Int32Array
  private prev: Int32Array
  private head = NONE // most recently used
  private tail = NONE // least recently used

  constructor(capacity: number) {
    this.next = new Int32Array(capacity)
    this.prev = new Int32Array(capacity)
  }

  resize(capacity: number): void {
    const next = new Int32Array(capacity)
    const prev = new Int32Array(capacity)
    next.set(this.next.subarray(0, Math.min(capacity, this.next.length)))
    prev.set(this.prev.subarray(0, Math.min(capacity, this.prev.length)))
    this.next = next
    this.prev = prev
  }

  onInsert(slot: number): void {
    this.prev[slot] = NONE
    this.next[slot] = this.head
    if (this.head !== NONE) this.prev[this.head] = slot
    this.head = slot
    if (this.tail === NONE) this.tail = slot
  }

  onAccess(slot: number): void {
    if (slot === this.head) return
    this.onRemove(slot)
    this.onInsert(slot)
  }

  onRemove(slot: number): void {
    const before = this.prev[slot]!
    const after = this.next[slot]!
    if (before === NONE) this.head = after
    else this.next[before] = after
    if (after === NONE) this.tail = before
    else this.prev[after] = before
  }

  victim(): number {
    return this.tail
  }

  clear(): void {
    this.head = NONE
    this.tail = NONE
  }
}
