/**
 * A count-min sketch of 4-bit counters (TinyLFU's popularity estimate): four rows, eight counters per
 * 32-bit word. Every counter is halved after `10 × width` increments, so old popularity fades and the
 * sketch tracks the recent past. About half a byte per counter, four counters per expected entry.
 */
const ROWS = 4
const SEEDS = [0x97cb3127, 0xb8b3e4d5, 0x2f8c5b1d, 0x6a09e667]
const MAX_COUNT = 15

export class FrequencySketch {
  private table: Uint32Array
  private width = 0
  private mask = 0
  private additions = 0
  private sampleSize = 0

  constructor(expectedEntries: number) {
    this.table = new Uint32Array(0)
    this.ensureCapacity(expectedEntries)
  }

  /** Sizes the sketch for this many entries; a resize forgets what was counted. */
  ensureCapacity(expectedEntries: number): void {
    const width = Math.max(64, nextPowerOfTwo(expectedEntries))
    if (width <= this.width) return
    this.width = width
    this.mask = width - 1
    this.table = new Uint32Array((width / 8) * ROWS)
    this.sampleSize = 10 * width
    this.additions = 0
  }

  /** The estimated recent count of a hash, 0 to 15. */
  frequency(hash: number): number {
    let min = MAX_COUNT
    for (let row = 0; row < ROWS; row++) {
      const count = this.read(this.indexOf(hash, row))
      if (count < min) min = count
    }
    return min
  }

  increment(hash: number): void {
    let added = false
    for (let row = 0; row < ROWS; row++) {
      const index = this.indexOf(hash, row)
      if (this.read(index) < MAX_COUNT) {
        this.table[index >>> 3]! += 1 << ((index & 7) << 2)
        added = true
      }
    }
    if (added && ++this.additions >= this.sampleSize) this.halve()
  }

  clear(): void {
    this.table.fill(0)
    this.additions = 0
  }

  /** Counter index (row-major) of a hash in one row. */
  private indexOf(hash: number, row: number): number {
    let h = Math.imul(hash ^ (hash >>> 16), SEEDS[row]!)
    h ^= h >>> 15
    return row * this.width + (h & this.mask)
  }

  private read(index: number): number {
    return (this.table[index >>> 3]! >>> ((index & 7) << 2)) & 0xf
  }

  private halve(): void {
    // Shifting a word right by one halves all eight nibbles; the mask drops bits that crossed a boundary.
    for (let i = 0; i < this.table.length; i++) this.table[i] = (this.table[i]! >>> 1) & 0x77777777
    this.additions = Math.floor(this.additions / 2)
  }
}

function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)))
}
