const NONE = -1

/**
 * Several doubly linked lists over the same slots, threaded through shared Int32Arrays: a slot is in
 * at most one queue at a time. Each queue runs from head (most recent) to tail (oldest). O(1) everything,
 * no object per entry.
 */
export class SlotQueues {
  next: Int32Array
  prev: Int32Array
  /** Which queue a slot is in. */
  queueOf: Uint8Array
  readonly heads: Int32Array
  readonly tails: Int32Array

  constructor(queues: number, capacity: number) {
    this.next = new Int32Array(capacity)
    this.prev = new Int32Array(capacity)
    this.queueOf = new Uint8Array(capacity)
    this.heads = new Int32Array(queues).fill(NONE)
    this.tails = new Int32Array(queues).fill(NONE)
  }

  resize(capacity: number): void {
    this.next = grown(this.next, new Int32Array(capacity))
    this.prev = grown(this.prev, new Int32Array(capacity))
    this.queueOf = grown(this.queueOf, new Uint8Array(capacity))
  }

  pushHead(queue: number, slot: number): void {
    const head = this.heads[queue]!
    this.queueOf[slot] = queue
    this.prev[slot] = NONE
    this.next[slot] = head
    if (head !== NONE) this.prev[head] = slot
    else this.tails[queue] = slot
    this.heads[queue] = slot
  }

  unlink(slot: number): void {
    const queue = this.queueOf[slot]!
    const before = this.prev[slot]!
    const after = this.next[slot]!
    if (before === NONE) this.heads[queue] = after
    else this.next[before] = after
    if (after === NONE) this.tails[queue] = before
    else this.prev[after] = before
  }

  /** Moves a slot to the head of a queue (possibly its own). */
  moveToHead(queue: number, slot: number): void {
    if (this.heads[queue] === slot) return
    this.unlink(slot)
    this.pushHead(queue, slot)
  }

  tail(queue: number): number {
    return this.tails[queue]!
  }

  head(queue: number): number {
    return this.heads[queue]!
  }

  clear(): void {
    this.heads.fill(NONE)
    this.tails.fill(NONE)
  }
}

function grown<T extends Int32Array | Uint8Array>(old: T, fresh: T): T {
  fresh.set(old.subarray(0, Math.min(old.length, fresh.length)) as never)
  return fresh
}
