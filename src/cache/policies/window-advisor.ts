import { MiniCache } from './mini-cache'

/** Window sizes tried side by side, as shares of the cache: from LFU-like (loops, scans) to pure LRU. */
const SHARES = [0, 0.01, 0.05, 0.15, 0.3, 0.5, 0.75, 1]
/** Entries each miniature aims to hold: enough to predict, few enough to cost little. */
const MINI_ENTRIES = 512
/** A decision every this many sampled requests per miniature entry. */
const PERIOD_PER_ENTRY = 8
const MIN_PERIOD = 256
/** The best miniature must beat the current window's by this share before the window moves. */
const HYSTERESIS = 0.05
/** Each period's scores carry half the weight of the one before. */
const DECAY = 0.5

/**
 * Chooses W-TinyLFU's window size by simulating several window sizes at once on a hash sample of the
 * requests, in miniature caches; after each period it advises the share whose miniature hit most
 * (scores decay by half each period, and a move needs a 5% lead, so the advice follows phase changes
 * without jumping on noise). Constants were chosen on `bun run bench:hitratio`.
 * A sample of 1/R of the keys in caches 1/R the size keeps the cost at about 8/R of a lookup per
 * request and the memory at 8 × 512 small entries, whatever the cache size.
 */
export class WindowAdvisor {
  private minis: MiniCache[] = []
  private scores = new Float64Array(SHARES.length)
  private sampleBits = 0
  private plannedFor = 0
  private seen = 0
  private period = MIN_PERIOD
  /** The share last advised; the real policy starts at 1%. */
  private current = SHARES.indexOf(0.01)

  constructor(private readonly maxWeight: number) {}

  /**
   * Records one request (a hit or a miss of `hash`, whose entry weighs about `weight`) given the real
   * cache's entry count; returns a window share when it has a new advice, otherwise undefined.
   */
  record(hash: number, weight: number, entries: number): number | undefined {
    if (entries >= 2 * this.plannedFor) this.plan(entries)
    const mixed = Math.imul(hash, 0x9e3779b1) >>> 0
    if (this.sampleBits > 0 && mixed >>> (32 - this.sampleBits) !== 0) return undefined
    for (const mini of this.minis) mini.access(hash, weight)
    if (++this.seen < this.period) return undefined
    this.seen = 0
    let best = this.current
    for (let i = 0; i < this.minis.length; i++) {
      this.scores[i] = this.scores[i]! * DECAY + this.minis[i]!.hits
      this.minis[i]!.hits = 0
      if (this.scores[i]! > this.scores[best]!) best = i
    }
    // Moving the real window costs hits while the cache re-sorts: move only for a clear gain.
    if (this.scores[best]! <= this.scores[this.current]! * (1 + HYSTERESIS)) return undefined
    this.current = best
    return SHARES[best]
  }

  /** Sizes the sample for the cache's entry count; the miniatures start over. */
  private plan(entries: number): void {
    this.plannedFor = Math.max(1, entries)
    this.sampleBits = Math.max(0, Math.min(16, Math.floor(Math.log2(this.plannedFor / MINI_ENTRIES))))
    const scale = 2 ** this.sampleBits
    this.minis = SHARES.map((share) => new MiniCache(this.maxWeight / scale, share))
    this.scores.fill(0)
    this.seen = 0
    this.period = Math.max(MIN_PERIOD, PERIOD_PER_ENTRY * Math.ceil(this.plannedFor / scale))
  }
}
