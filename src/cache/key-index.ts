const EMPTY = 0
const MIN_SIZE = 1024

/**
 * Key -> slot, as open addressing with linear probing in one Int32Array (slot + 1; 0 is empty).
 * About 8-16 bytes per key, where a Map entry costs ~54. Keys and their hashes stay with the slots;
 * the index only points at slots. Deletion shifts the following run back instead of leaving tombstones,
 * so lookups never slow down with churn.
 */
export class KeyIndex {
  private table = new Int32Array(MIN_SIZE)
  private mask = MIN_SIZE - 1
  private count = 0

  /** `matches` compares a key with a slot's (the slot table compares it with the key's bytes in the arena). */
  constructor(
    keyAt: (slot: number) => string | undefined,
    private readonly hashAt: (slot: number) => number,
    private readonly matches: (slot: number, key: string) => boolean = (slot, key) => keyAt(slot) === key,
  ) {}

  get size(): number {
    return this.count
  }

  /** The slot of `key` (whose hash is `hash`), or -1. */
  find(key: string, hash: number): number {
    const table = this.table
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const entry = table[i]!
      if (entry === EMPTY) return -1
      const slot = entry - 1
      if (this.hashAt(slot) === hash && this.matches(slot, key)) return slot
    }
  }

  /** The first slot with this hash that `accept` takes, or -1 (finding a slot by something other than its key). */
  findWhere(hash: number, accept: (slot: number) => boolean): number {
    const table = this.table
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const entry = table[i]!
      if (entry === EMPTY) return -1
      if (this.hashAt(entry - 1) === hash && accept(entry - 1)) return entry - 1
    }
  }

  /** Adds a slot whose key is absent from the index. */
  insert(slot: number, hash: number): void {
    if (2 * (this.count + 1) > this.table.length) this.rehash(this.table.length * 2)
    this.place(slot, hash)
    this.count++
  }

  /** Removes a slot that is in the index. */
  remove(slot: number, hash: number): void {
    const table = this.table
    const mask = this.mask
    let hole = hash & mask
    while (table[hole] !== slot + 1) hole = (hole + 1) & mask
    // Shift later members of the run back into the hole when their home position allows it.
    for (let i = (hole + 1) & mask; table[i] !== EMPTY; i = (i + 1) & mask) {
      const home = this.hashAt(table[i]! - 1) & mask
      const fits = hole <= i ? home <= hole || home > i : home <= hole && home > i
      if (fits) {
        table[hole] = table[i]!
        hole = i
      }
    }
    table[hole] = EMPTY
    this.count--
  }

  /** Makes room for `entries` keys in all, so that as many inserts need no rehash on the way (loading). */
  reserve(entries: number): void {
    let size = this.table.length
    while (2 * entries > size) size *= 2
    if (size !== this.table.length) this.rehash(size)
  }

  clear(): void {
    this.table = new Int32Array(MIN_SIZE)
    this.mask = MIN_SIZE - 1
    this.count = 0
  }

  private place(slot: number, hash: number): void {
    let i = hash & this.mask
    while (this.table[i] !== EMPTY) i = (i + 1) & this.mask
    this.table[i] = slot + 1
  }

  private rehash(size: number): void {
    const old = this.table
    this.table = new Int32Array(size)
    this.mask = size - 1
    // An indexed loop: a typed array's iterator measured several times slower here.
    for (let i = 0; i < old.length; i++) {
      const entry = old[i]!
      if (entry !== EMPTY) this.place(entry - 1, this.hashAt(entry - 1))
    }
  }
}
