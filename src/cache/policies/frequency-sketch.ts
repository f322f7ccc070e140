/**
 * A count-min sketch of 4-bit counters: TinyLFU's estimate of how often a key was used recently.
 * Four counters per key, all in one 32-byte block of the table (one cache line, as in Caffeine's
 * sketch), so an update touches memory once. Every counter is halved after `10 × width` updates,
 * so old popularity fades. Half a byte per counter, four counters per expected entry.
 */
const MAX_COUNT = 15
const WORDS_PER_BLOCK = 8

export class FrequencySketch {
  private table = new Uint32Array(0)
  private width = 0
  private blockMask = 0
  private additions = 0
  private sampleSize = 0

  constructor(expectedEntries: number) {
    this.ensureCapacity(expectedEntries)
  }

  /** How many entries the sketch is sized for. */
  get capacity(): number {
    return this.width
  }

  /** Sizes the sketch for this many entries; a resize forgets what was counted. */
  ensureCapacity(expectedEntries: number): void {
    const width = Math.max(16, nextPowerOfTwo(expectedEntries))
    if (width <= this.width) return
    this.width = width
    // width entries × 4 counters × 4 bits = width / 2 words, in blocks of 8 words.
    this.table = new Uint32Array(width / 2)
    this.blockMask = width / 16 - 1
    this.sampleSize = 10 * width
    this.additions = 0
  }

  /** The estimated recent count of a hash, 0 to 15. */
  frequency(hash: number): number {
    const spread = spreadHash(hash)
    const block = (spread & this.blockMask) * WORDS_PER_BLOCK
    const choice = Math.imul(spread, 0x9e3779b9) >>> 16
    let min = MAX_COUNT
    for (let row = 0; row < 4; row++) {
      const bits = choice >>> (row << 2)
      const word = block + (row << 1) + ((bits >>> 3) & 1)
      const count = (this.table[word]! >>> ((bits & 7) << 2)) & 0xf
      if (count < min) min = count
    }
    return min
  }

  increment(hash: number): void {
    const spread = spreadHash(hash)
    const block = (spread & this.blockMask) * WORDS_PER_BLOCK
    const choice = Math.imul(spread, 0x9e3779b9) >>> 16
    let added = false
    for (let row = 0; row < 4; row++) {
      const bits = choice >>> (row << 2)
      const word = block + (row << 1) + ((bits >>> 3) & 1)
      const shift = (bits & 7) << 2
      if (((this.table[word]! >>> shift) & 0xf) < MAX_COUNT) {
        this.table[word]! += 1 << shift
        added = true
      }
    }
    if (added && ++this.additions >= this.sampleSize) this.halve()
  }

  clear(): void {
    this.table.fill(0)
    this.additions = 0
  }

  private halve(): void {
    // Shifting a word right by one halves all eight nibbles; the mask drops bits that crossed a boundary.
    for (let i = 0; i < this.table.length; i++) this.table[i] = (this.table[i]! >>> 1) & 0x77777777
    this.additions = Math.floor(this.additions / 2)
  }
}

/** Mixes all bits of a 32-bit hash, so nearby keys land in unrelated blocks. */
function spreadHash(hash: number): number {
  let h = Math.imul(hash ^ (hash >>> 16), 0x45d9f3b)
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b)
  return (h ^ (h >>> 16)) >>> 0
}

function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)))
}
