import { grown } from '../grow'
import { WTinyLfuPolicy } from './w-tinylfu'

const INITIAL_SLOTS = 64
/** Index entries hold slot + 1, so 0 is free. */
const FREE = 0

/**
 * A miniature W-TinyLFU cache with a fixed window and admission rule, fed a sample of the real key
 * stream (by hash) and scaled down in bytes by the same factor, so its hit ratio predicts the real
 * cache's in that configuration (the miniature simulation of Waldspurger et al., ATC'17). Keys are
 * hashes (two keys with one hash are one key here); values are not kept. Lookups go through an
 * open-addressing index in typed arrays, so a request allocates nothing.
 */
export class MiniCache {
  private readonly policy: WTinyLfuPolicy
  private hashes = new Int32Array(INITIAL_SLOTS)
  private weights = new Float64Array(INITIAL_SLOTS)
  private freeSlots = new Int32Array(INITIAL_SLOTS)
  private freeCount = 0
  private highWater = 0
  private total = 0
  private index = new Int32Array(INITIAL_SLOTS * 2)
  private mask = INITIAL_SLOTS * 2 - 1

  constructor(
    private readonly maxWeight: number,
    windowShare: number,
    lenient: boolean,
  ) {
    const context = { capacity: INITIAL_SLOTS, maxWeight, weightOf: (slot: number) => this.weights[slot]! }
    this.policy = new WTinyLfuPolicy(context, { windowShare, lenient })
  }

  /** One request for `hash`, whose entry weighs `weight`; true on a hit. A miss stores the key. */
  access(hash: number, weight: number): boolean {
    const slot = this.find(hash)
    if (slot >= 0) {
      this.policy.onHit(slot)
      return true
    }
    this.policy.onMiss(hash)
    if (weight > this.maxWeight) return false
    const fresh = this.allocate(hash, weight)
    this.policy.onInsert(fresh, hash, weight)
    this.policy.evict(this.overBudget, this.evictSlot)
    return false
  }

  private readonly overBudget = () => this.total > this.maxWeight
  private readonly evictSlot = (slot: number) => {
    const weight = this.weights[slot]!
    this.total -= weight
    this.policy.onRemove(slot, weight)
    this.unindex(slot)
    this.freeSlots[this.freeCount++] = slot
  }

  private find(hash: number): number {
    for (let i = homeOf(hash) & this.mask; ; i = (i + 1) & this.mask) {
      const entry = this.index[i]!
      if (entry === FREE) return -1
      if (this.hashes[entry - 1] === hash) return entry - 1
    }
  }

  private allocate(hash: number, weight: number): number {
    let slot: number
    if (this.freeCount > 0) slot = this.freeSlots[--this.freeCount]!
    else {
      if (this.highWater === this.hashes.length) this.grow(this.hashes.length * 2)
      slot = this.highWater++
    }
    this.hashes[slot] = hash
    this.weights[slot] = weight
    this.total += weight
    this.indexSlot(slot)
    return slot
  }

  /** Removes a slot from the index, shifting the rest of its run back so no lookup stops early. */
  private unindex(slot: number): void {
    let hole = homeOf(this.hashes[slot]!) & this.mask
    while (this.index[hole] !== slot + 1) hole = (hole + 1) & this.mask
    for (let i = (hole + 1) & this.mask; this.index[i] !== FREE; i = (i + 1) & this.mask) {
      const home = homeOf(this.hashes[this.index[i]! - 1]!) & this.mask
      // The entry at i may fill the hole unless its home lies cyclically in (hole, i].
      if (((i - home) & this.mask) >= ((i - hole) & this.mask)) {
        this.index[hole] = this.index[i]!
        hole = i
      }
    }
    this.index[hole] = FREE
  }

  private grow(slots: number): void {
    this.hashes = grown(this.hashes, slots)
    this.weights = grown(this.weights, slots)
    this.freeSlots = grown(this.freeSlots, slots)
    this.policy.resize(slots)
    // The index stays at most half full. Slots only run out when none is free, so all are in use.
    this.index = new Int32Array(slots * 2)
    this.mask = slots * 2 - 1
    for (let slot = 0; slot < this.highWater; slot++) this.indexSlot(slot)
  }

  private indexSlot(slot: number): void {
    let i = homeOf(this.hashes[slot]!) & this.mask
    while (this.index[i] !== FREE) i = (i + 1) & this.mask
    this.index[i] = slot + 1
  }
}

/**
 * A key's home position in the index. Mixed, because sampled keys share the top bits of one product
 * of their hash (the advisor's sampling test).
 */
function homeOf(hash: number): number {
  const h = Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d)
  return h ^ (h >>> 12)
}
