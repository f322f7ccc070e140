import type { EvictionPolicy, PolicyContext } from '../eviction'
import { grown } from '../grow'
import { FrequencySketch } from './frequency-sketch'
import { RejectionMemory } from './rejection-memory'
import { SlotQueues } from './slot-queues'

export interface WTinyLfuOptions {
  /** A fixed window, as a share of the bound (default 1%), when there is no advisor. */
  windowShare?: number
  /** A fixed admission rule when there is no advisor: lenient also admits recently reused keys (default false). */
  lenient?: boolean
  /** Resizes the window and picks the admission rule as the workload changes. */
  advisor?: WindowAdvice
}

/**
 * What the policy asks of an advisor (WindowAdvisor is one). Declared here, by its user, so the
 * advisor's miniatures may run this policy without a cycle between the files.
 */
export interface WindowAdvice {
  /** Whether a request for `hash` is in the advisor's sample; only those are recorded. */
  sampled(hash: number): boolean
  /** Records a sampled request; returns the configuration to move to, or -1 to stay. */
  record(hash: number, weight: number, entries: number, totalWeight: number): number
  /** The window share of a configuration. */
  shareOf(config: number): number
  /** Whether a configuration uses the lenient admission rule. */
  isLenient(config: number): boolean
}

const WINDOW = 0
const PROBATION = 1
const PROTECTED = 2
const NONE = -1

/** A slot's mark, for the lenient admission rule: hit while in the window. */
const HIT_IN_WINDOW = 1

/** Share of the main area (everything but the window) reserved for entries hit at least twice. */
const PROTECTED_SHARE = 0.8
/**
 * The sketch never counts for fewer entries than this (2 KiB): small caches then remember popularity
 * over more than a few hundred requests, which measured better on every small-cache trace.
 */
const MIN_SKETCH_ENTRIES = 1024
/** Caffeine's starting point, and the fixed window when no advisor adapts it. */
const DEFAULT_WINDOW_SHARE = 0.01
/** Most entries moved between areas in one step, so a resize never stalls a request. */
const MAX_TRANSFER = 1000
/** A candidate this popular is admitted at random now and then, so an attacker cannot pin the victims. */
const HASH_FLOOD_THRESHOLD = 6

/**
 * Window TinyLFU with an adaptive window and admission rule (the design of Caffeine, plus S3-FIFO's
 * quick admission of reused keys), by weight in bytes.
 *
 * New entries enter a small LRU window. What overflows the window becomes a candidate for the main
 * area (a segmented LRU: probation, then protected once hit again) and is admitted only if the
 * frequency sketch says it is used more than the main area's oldest entry, the victim (strict rule).
 * The lenient rule also admits, unconditionally, a candidate that was hit while in the window or that
 * admission turned away shortly before (S3-FIFO's small queue and ghost): recency-heavy workloads want
 * that, loops and scans do not. Entries are compared one victim at a time, so a large candidate must
 * out-score every entry it would displace: it cannot flush many hot small ones. An advisor, when given,
 * sets the window size and the rule from miniature simulations of several of them: a large window
 * behaves like LRU (recency-heavy workloads), a small strict one like LFU (loops, scans).
 */
export class WTinyLfuPolicy implements EvictionPolicy {
  private readonly queues: SlotQueues
  private readonly sketch: FrequencySketch
  private readonly rejections = new RejectionMemory()
  private marks: Uint8Array<ArrayBuffer>
  private readonly weights = new Float64Array(3)
  private readonly maxWeight: number
  private readonly weightOf: (slot: number) => number
  private windowMax: number
  private protectedMax: number
  private lenient: boolean
  private entries = 0
  /** The weight of every entry held (the three areas together). */
  private totalWeight = 0
  private readonly advisor: WindowAdvice | undefined
  private random = 0x2545f491

  constructor(context: PolicyContext, options: WTinyLfuOptions = {}) {
    this.maxWeight = context.maxWeight
    this.weightOf = context.weightOf
    this.advisor = options.advisor
    this.queues = new SlotQueues(3, context.capacity)
    this.marks = new Uint8Array(context.capacity)
    this.sketch = new FrequencySketch(MIN_SKETCH_ENTRIES)
    this.windowMax = 0
    this.protectedMax = 0
    this.lenient = options.lenient ?? false
    this.setWindowShare(options.windowShare ?? DEFAULT_WINDOW_SHARE)
  }

  resize(capacity: number): void {
    this.queues.resize(capacity)
    this.marks = grown(this.marks, capacity)
  }

  onInsert(slot: number, hash: number, weight: number): void {
    // Not counted in the sketch here: the miss that preceded the insert was, and a write is not a read.
    this.queues.pushHead(WINDOW, slot)
    this.queues.setData(slot, hash)
    this.marks[slot] = 0
    this.weights[WINDOW]! += weight
    this.totalWeight += weight
    // Both are sized to the entries actually held (the byte bound says nothing of their number).
    if (++this.entries > this.sketch.capacity) this.sketch.ensureCapacity(this.entries)
    if (this.entries > this.rejections.capacity) this.rejections.ensureCapacity(this.entries)
  }

  onUpdate(slot: number, oldWeight: number, newWeight: number): void {
    this.weights[this.queues.queueOf(slot)]! += newWeight - oldWeight
    this.totalWeight += newWeight - oldWeight
    this.sketch.increment(this.queues.data(slot))
    this.promote(slot)
  }

  onHit(slot: number): void {
    const hash = this.queues.data(slot)
    this.sketch.increment(hash)
    this.promote(slot)
    const advisor = this.advisor
    if (advisor?.sampled(hash)) this.advise(advisor.record(hash, this.weightOf(slot), this.entries, this.totalWeight))
  }

  onMiss(hash: number): void {
    this.sketch.increment(hash)
    // The weight of what will be stored is not known yet: the mean entry stands in for it.
    const advisor = this.advisor
    if (advisor?.sampled(hash)) this.advise(advisor.record(hash, this.meanWeight(), this.entries, this.totalWeight))
  }

  onRemove(slot: number, weight: number): void {
    this.weights[this.queues.queueOf(slot)]! -= weight
    this.totalWeight -= weight
    this.queues.unlink(slot)
    this.entries--
  }

  evict(overBudget: () => boolean, evict: (slot: number) => void): void {
    // The window's overflow moves to the head of probation: those entries are the admission candidates.
    let candidates = 0
    const newest = this.queues.head(WINDOW)
    if (newest !== NONE && this.overflowsAlone(newest)) {
      // A new entry larger than the whole window faces admission alone, and the window behind it stays:
      // pushed out with it, those entries would leave the window empty for the next small writes to
      // refill at the expense of main, so one large cold write would flush as many hot entries.
      this.move(newest, PROBATION)
      candidates++
    }
    while (this.weights[WINDOW]! > this.windowMax) {
      const slot = this.queues.tail(WINDOW)
      if (slot === NONE || this.isProtectedNewest(slot)) break
      this.move(slot, PROBATION)
      candidates++
    }
    // The newest candidate is tried first against the oldest probation entry; each loser is evicted.
    let candidate = candidates > 0 ? this.queues.head(PROBATION) : NONE
    while (overBudget()) {
      const victim = this.queues.tail(PROBATION)
      if (candidates === 0 || candidate === NONE) {
        const oldest =
          victim !== NONE ? victim : this.queues.tail(PROTECTED) !== NONE ? this.queues.tail(PROTECTED) : this.queues.tail(WINDOW)
        if (oldest === NONE) return
        evict(oldest)
      } else if (victim === candidate || this.admit(candidate, victim)) {
        if (victim === candidate) candidates = 0
        evict(victim)
      } else {
        const next = this.queues.next(candidate)
        candidates--
        // Only the lenient rule reads them, and it warms up within a quarter-cache of rejections.
        if (this.lenient) this.rejections.remember(this.queues.data(candidate))
        evict(candidate)
        candidate = next
      }
    }
  }

  clear(): void {
    this.queues.clear()
    this.weights.fill(0)
    this.sketch.clear()
    this.rejections.clear()
    this.entries = 0
    this.totalWeight = 0
  }

  /**
   * The newest entry stays in the window even when the window is sized to nothing, so a value just
   * written can be read back; unless it is large (over 1% of the bound), then it faces admission at once.
   */
  private isProtectedNewest(slot: number): boolean {
    return slot === this.queues.head(WINDOW) && this.weightOf(slot) <= this.maxWeight * DEFAULT_WINDOW_SHARE
  }

  /** A new entry heavier than the whole window (and not kept as the newest), behind a window that fits. */
  private overflowsAlone(newest: number): boolean {
    const weight = this.weightOf(newest)
    return weight > this.windowMax && this.weights[WINDOW]! - weight <= this.windowMax && !this.isProtectedNewest(newest)
  }

  /**
   * True when the candidate should replace the victim in the main area. The lenient rule only trades
   * one entry for one at least as heavy: a heavier candidate must out-score each victim it displaces.
   */
  private admit(candidate: number, victim: number): boolean {
    if (this.lenient && this.reused(candidate) && this.weightOf(candidate) <= this.weightOf(victim)) return true
    const candidateFrequency = this.sketch.frequency(this.queues.data(candidate))
    const victimFrequency = this.sketch.frequency(this.queues.data(victim))
    if (candidateFrequency > victimFrequency) return true
    if (candidateFrequency < HASH_FLOOD_THRESHOLD) return false
    return (this.nextRandom() & 127) === 0
  }

  /** Hit while in the window, or turned away by admission shortly before it was written again. */
  private reused(candidate: number): boolean {
    return this.marks[candidate] === HIT_IN_WINDOW || this.rejections.has(this.queues.data(candidate))
  }

  /** Recency on use: the window and protected areas refresh in place; a probation hit earns protection. */
  private promote(slot: number): void {
    const queue = this.queues.queueOf(slot)
    if (queue !== PROBATION) {
      if (queue === WINDOW) this.marks[slot] = HIT_IN_WINDOW
      this.queues.moveToHead(queue, slot)
      return
    }
    this.move(slot, PROTECTED)
    this.demoteProtectedOverflow()
  }

  private demoteProtectedOverflow(): void {
    while (this.weights[PROTECTED]! > this.protectedMax) {
      const oldest = this.queues.tail(PROTECTED)
      if (oldest === NONE) return
      this.move(oldest, PROBATION)
    }
  }

  private move(slot: number, to: number): void {
    const weight = this.weightOf(slot)
    this.weights[this.queues.queueOf(slot)]! -= weight
    this.queues.unlink(slot)
    this.queues.pushHead(to, slot)
    this.weights[to]! += weight
  }

  private advise(config: number): void {
    if (config < 0) return
    const share = this.advisor!.shareOf(config)
    const grows = share * this.maxWeight > this.windowMax
    this.lenient = this.advisor!.isLenient(config)
    this.setWindowShare(share)
    if (grows) this.fillWindowFromMain()
  }

  private setWindowShare(share: number): void {
    this.windowMax = this.maxWeight * share
    this.protectedMax = (this.maxWeight - this.windowMax) * PROTECTED_SHARE
    this.demoteProtectedOverflow()
  }

  private meanWeight(): number {
    return this.entries === 0 ? 0 : this.totalWeight / this.entries
  }

  /**
   * A grown window takes its room from the main area's oldest entries instead of letting evictions
   * take it: they move to the window and compete for main again when they leave it.
   */
  private fillWindowFromMain(): void {
    for (let moved = 0; moved < MAX_TRANSFER && this.weights[WINDOW]! < this.windowMax; moved++) {
      const oldest = this.queues.tail(PROBATION) !== NONE ? this.queues.tail(PROBATION) : this.queues.tail(PROTECTED)
      if (oldest === NONE || this.weights[WINDOW]! + this.weightOf(oldest) > this.windowMax) return
      this.move(oldest, WINDOW)
    }
  }

  /** xorshift32: cheap, and deterministic so benchmark runs repeat exactly. */
  private nextRandom(): number {
    let x = this.random
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    this.random = x
    return x >>> 0
  }
}
