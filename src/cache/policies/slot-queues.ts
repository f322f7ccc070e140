import { grown } from '../grow'

const NONE = -1

// Per slot, four int32 side by side (one cache line holds four slots): links, queue, and one field
// the policy may use (W-TinyLFU keeps the key's hash there).
const FIELDS = 4
const NEXT = 0
const PREV = 1
const QUEUE = 2
const DATA = 3

/**
 * Several doubly linked lists over the same slots: a slot is in at most one queue at a time. Each queue
 * runs from head (most recent) to tail (oldest). O(1) everything, no object per entry.
 */
export class SlotQueues {
  private links: Int32Array<ArrayBuffer>
  private readonly heads: Int32Array
  private readonly tails: Int32Array

  constructor(queues: number, capacity: number) {
    this.links = new Int32Array(capacity * FIELDS)
    this.heads = new Int32Array(queues).fill(NONE)
    this.tails = new Int32Array(queues).fill(NONE)
  }

  resize(capacity: number): void {
    this.links = grown(this.links, capacity * FIELDS)
  }

  queueOf(slot: number): number {
    return this.links[slot * FIELDS + QUEUE]!
  }
  /** The slot after this one, toward the tail. */
  next(slot: number): number {
    return this.links[slot * FIELDS + NEXT]!
  }
  data(slot: number): number {
    return this.links[slot * FIELDS + DATA]!
  }
  setData(slot: number, value: number): void {
    this.links[slot * FIELDS + DATA] = value
  }

  pushHead(queue: number, slot: number): void {
    const links = this.links
    const head = this.heads[queue]!
    const base = slot * FIELDS
    links[base + QUEUE] = queue
    links[base + PREV] = NONE
    links[base + NEXT] = head
    if (head !== NONE) links[head * FIELDS + PREV] = slot
    else this.tails[queue] = slot
    this.heads[queue] = slot
  }

  unlink(slot: number): void {
    const links = this.links
    const base = slot * FIELDS
    const queue = links[base + QUEUE]!
    const before = links[base + PREV]!
    const after = links[base + NEXT]!
    if (before === NONE) this.heads[queue] = after
    else links[before * FIELDS + NEXT] = after
    if (after === NONE) this.tails[queue] = before
    else links[after * FIELDS + PREV] = before
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
