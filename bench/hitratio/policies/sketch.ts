/**
 * Count-min sketch with 4-bit counters (saturating at 15) and 4 rows, as in TinyLFU. After
 * 10 × width increments every counter is halved, so old popularity fades ("aging").
 * Counters are kept one per byte for simplicity; only the 0..15 range is used.
 */
const DEPTH = 4
const MAX_COUNT = 15
const SEEDS = [0x97cb3127, 0x2f8a6e5d, 0x7feb352d, 0x846ca68b]

export class FrequencySketch {
  private table: Uint8Array
  private width = 0
  private mask = 0
  private additions = 0
  private sampleSize = 0

  constructor(expectedKeys: number) {
    this.table = new Uint8Array(0)
    this.ensureCapacity(expectedKeys)
  }

  /** Grows the table (clearing it) when more keys are resident than it was sized for. */
  ensureCapacity(keys: number): void {
    if (keys <= this.width) return
    let width = 16
    while (width < keys) width *= 2
    this.width = width
    this.mask = width - 1
    this.table = new Uint8Array(width * DEPTH)
    this.sampleSize = 10 * width
    this.additions = 0
  }

  increment(key: number): void {
    let added = false
    for (let row = 0; row < DEPTH; row++) {
      const i = row * this.width + this.index(key, row)
      if (this.table[i]! < MAX_COUNT) {
        this.table[i]!++
        added = true
      }
    }
    if (added && ++this.additions >= this.sampleSize) this.halve()
  }

  frequency(key: number): number {
    let min = MAX_COUNT
    for (let row = 0; row < DEPTH; row++) min = Math.min(min, this.table[row * this.width + this.index(key, row)]!)
    return min
  }

  private index(key: number, row: number): number {
    let h = Math.imul(key ^ SEEDS[row]!, 0x9e3779b1)
    h ^= h >>> 16
    h = Math.imul(h, 0x85ebca6b)
    h ^= h >>> 13
    return h & this.mask
  }

  private halve(): void {
    for (let i = 0; i < this.table.length; i++) this.table[i]! >>= 1
    this.additions >>>= 1
  }
}
