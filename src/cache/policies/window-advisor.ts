import { MiniCache } from './mini-cache'

/** A configuration of W-TinyLFU the advisor can choose: window share and admission rule. */
export interface WindowConfig {
  readonly share: number
  readonly lenient: boolean
}

/**
 * The configurations simulated side by side, from LFU-like (small strict window: loops, scans) to
 * pure LRU. The lenient ones admit recently reused keys as S3-FIFO does (recency-heavy workloads).
 */
export const CONFIGS: readonly WindowConfig[] = [
  { share: 0, lenient: false },
  { share: 0.01, lenient: false },
  { share: 0.1, lenient: false },
  { share: 0.4, lenient: false },
  { share: 0.01, lenient: true },
  { share: 0.1, lenient: true },
  { share: 0.4, lenient: true },
  { share: 1, lenient: false },
]
/** The policy starts as Caffeine does: a 1% window, strict admission. */
export const START = 1

/** Entries each miniature aims to hold: enough to predict, few enough to cost little. */
const MINI_ENTRIES = 512
/** Sampled requests between decisions: one per miniature entry, at least this many. */
const MIN_PERIOD = 256
/** Evidence carries this weight into the next period, so old phases fade (a time constant of ~7 periods). */
const DECAY = 0.85
/** A move needs a lead this many standard deviations above noise... */
const Z = 3
/** ...that also removes this share of the current configuration's misses (moving costs hits). */
const MISS_GAIN = 0.02

/**
 * Chooses W-TinyLFU's window size and admission rule by simulating every configuration at once on a
 * hash sample of the requests, in miniature caches (1/R of the keys in caches 1/R the size, R chosen
 * from the cache's capacity in entries so each holds about 512; R = 1 for caches smaller than that,
 * whose miniatures are full-size copies). Every request the miniatures disagree on is evidence for one
 * configuration against another; the evidence decays each period so the advice follows phase
 * changes. The advice moves only when a configuration beats the current one by a lead that is both
 * significant (paired comparison: more than 3 σ of the requests they disagree on) and worth a move
 * (2% of the current one's misses), since moving the real window costs hits while the cache re-sorts.
 * Cost: about 8/R of a miniature lookup per request (the rest is one multiplication and a comparison),
 * and 8 × 512 small entries of memory, whatever the size.
 */
export class WindowAdvisor {
  private minis: MiniCache[] = []
  /** evidence[i * n + j]: decayed count of sampled requests that configuration i hit and j missed. */
  private readonly evidence = new Float64Array(CONFIGS.length * CONFIGS.length)
  private readonly hits = new Int32Array(CONFIGS.length)
  private readonly misses = new Int32Array(CONFIGS.length)
  /** Decayed count of the sampled requests each configuration missed. */
  private readonly missed = new Float64Array(CONFIGS.length)
  /** A request is sampled when its mixed hash is below this: 2^32 / R. */
  private sampleLimit = 2 ** 32
  /** The capacity the sample was planned for, and the capacities that call for a new plan. */
  private plannedFor = 0
  private replanAbove = 0
  private replanBelow = 0
  private seen = 0
  private period = MIN_PERIOD
  private current = START

  constructor(private readonly maxWeight: number) {}

  shareOf(config: number): number {
    return CONFIGS[config]!.share
  }

  isLenient(config: number): boolean {
    return CONFIGS[config]!.lenient
  }

  /**
   * Whether a request for `hash` is in the sample the miniatures see; only those go to `record`, so
   * the rest cost the policy one multiplication and a comparison.
   */
  sampled(hash: number): boolean {
    return Math.imul(hash, 0x9e3779b1) >>> 0 < this.sampleLimit
  }

  /**
   * Records one sampled request (a hit or a miss of `hash`, whose entry weighs about `weight`), given
   * how many entries the real cache holds and their total weight (so it knows how many entries of
   * that mean weight the bound holds); returns the configuration to move to, or -1 to stay.
   */
  record(hash: number, weight: number, entries: number, totalWeight: number): number {
    // An empty cache cannot tell its capacity.
    if (entries === 0 || !(totalWeight > 0)) return -1
    const capacity = (this.maxWeight * entries) / totalWeight
    if (capacity >= this.replanAbove || capacity <= this.replanBelow) {
      this.plan(capacity)
      if (!this.sampled(hash)) return -1
    }
    this.simulate(hash, weight)
    if (++this.seen < this.period) return -1
    this.seen = 0
    const best = this.leader()
    this.decay()
    if (best < 0) return -1
    this.current = best
    return best
  }

  /** Feeds one sampled request to every miniature and counts, for each pair, who hit where the other missed. */
  private simulate(hash: number, weight: number): void {
    const n = CONFIGS.length
    let hitCount = 0
    let missCount = 0
    for (let i = 0; i < n; i++) {
      if (this.minis[i]!.access(hash, weight)) this.hits[hitCount++] = i
      else {
        this.misses[missCount++] = i
        this.missed[i]!++
      }
    }
    for (let a = 0; a < hitCount; a++) {
      const row = this.hits[a]! * n
      for (let b = 0; b < missCount; b++) this.evidence[row + this.misses[b]!]!++
    }
  }

  /** The configuration with the largest lead over the current one that is worth a move, or -1. */
  private leader(): number {
    const n = CONFIGS.length
    const current = this.current
    let best = -1
    let bestLead = 0
    for (let i = 0; i < n; i++) {
      if (i === current) continue
      const wins = this.evidence[i * n + current]!
      const losses = this.evidence[current * n + i]!
      const lead = wins - losses
      if (lead <= bestLead || lead < Z * Math.sqrt(wins + losses) || lead < MISS_GAIN * this.missed[current]!) continue
      best = i
      bestLead = lead
    }
    return best
  }

  private decay(): void {
    for (let i = 0; i < this.evidence.length; i++) this.evidence[i]! *= DECAY
    for (let i = 0; i < this.missed.length; i++) this.missed[i]! *= DECAY
  }

  /** Sizes the sample for a cache of `capacity` entries; the miniatures and the evidence start over. */
  private plan(capacity: number): void {
    this.plannedFor = Math.max(1, capacity)
    // Planned again when the capacity doubles, or falls to a quarter (hysteresis, so it does not flap).
    this.replanAbove = 2 * this.plannedFor
    this.replanBelow = this.plannedFor / 4
    const scale = 2 ** Math.max(0, Math.min(16, Math.floor(Math.log2(this.plannedFor / MINI_ENTRIES))))
    this.sampleLimit = 2 ** 32 / scale
    this.minis = CONFIGS.map((config) => new MiniCache(this.maxWeight / scale, config.share, config.lenient))
    this.evidence.fill(0)
    this.missed.fill(0)
    this.seen = 0
    this.period = Math.max(MIN_PERIOD, Math.ceil(this.plannedFor / scale))
  }
}
