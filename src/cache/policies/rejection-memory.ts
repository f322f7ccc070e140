/** Table slots per entry the cache holds: a rejected key is remembered for about a quarter-cache of rejections. */
const SLOTS_PER_ENTRY = 0.25
const MIN_SLOTS = 16

/**
 * The hashes of keys that admission recently turned away, in a direct-mapped table of about a
 * quarter as many slots as the cache holds entries (1-2 bytes per entry): a new rejection overwrites
 * whatever shared its slot, so a key is remembered for roughly that many later rejections. A key
 * that comes back while remembered has a short reuse distance: S3-FIFO's ghost queue, without a queue.
 * Collisions only make a key look remembered or forgotten by mistake.
 */
export class RejectionMemory {
  private table = new Int32Array(MIN_SLOTS)
  private mask = MIN_SLOTS - 1
  /** The most entries the table is sized for. */
  capacity = MIN_SLOTS / SLOTS_PER_ENTRY

  /** Sizes the table for a cache of this many entries; a resize forgets everything. */
  ensureCapacity(entries: number): void {
    const slots = Math.max(MIN_SLOTS, 2 ** Math.ceil(Math.log2(Math.max(1, entries * SLOTS_PER_ENTRY))))
    if (slots <= this.table.length) return
    this.table = new Int32Array(slots)
    this.mask = slots - 1
    this.capacity = slots / SLOTS_PER_ENTRY
  }

  remember(hash: number): void {
    this.table[slotOf(hash) & this.mask] = tagOf(hash)
  }

  has(hash: number): boolean {
    return this.table[slotOf(hash) & this.mask] === tagOf(hash)
  }

  clear(): void {
    this.table.fill(0)
  }
}

/** Mixed so that keys whose hashes differ only in high bits still spread over the table. */
function slotOf(hash: number): number {
  return Math.imul(hash, 0x2c1b3c6d) ^ (hash >>> 15)
}

/** Never 0, so an empty slot matches no key. */
function tagOf(hash: number): number {
  return hash | 1
}
