/**
 * Doubly linked lists threaded through Int32Arrays indexed by key id, so the reference policies make
 * no object per entry. Lists made from one Links share its arrays: a key is in at most one of them.
 */
export const NONE = -1

export class Links {
  readonly next: Int32Array
  readonly prev: Int32Array
  /** Each key's weight, set by the policy when it stores the key. */
  readonly weight: Float64Array

  constructor(keyCount: number) {
    this.next = new Int32Array(keyCount)
    this.prev = new Int32Array(keyCount)
    this.weight = new Float64Array(keyCount)
  }
}

/** A queue: head is the newest (most recently used) end, tail the oldest. Tracks its total weight. */
export class List {
  head = NONE
  tail = NONE
  bytes = 0
  count = 0

  constructor(readonly links: Links) {}

  pushHead(key: number): void {
    const { next, prev } = this.links
    prev[key] = NONE
    next[key] = this.head
    if (this.head !== NONE) prev[this.head] = key
    else this.tail = key
    this.head = key
    this.bytes += this.links.weight[key]!
    this.count++
  }

  remove(key: number): void {
    const { next, prev } = this.links
    const before = prev[key]!
    const after = next[key]!
    if (before === NONE) this.head = after
    else next[before] = after
    if (after === NONE) this.tail = before
    else prev[after] = before
    this.bytes -= this.links.weight[key]!
    this.count--
  }

  /** Removes and returns the oldest key, or NONE. */
  popTail(): number {
    const key = this.tail
    if (key !== NONE) this.remove(key)
    return key
  }

  moveToHead(key: number): void {
    if (this.head === key) return
    this.remove(key)
    this.pushHead(key)
  }
}
