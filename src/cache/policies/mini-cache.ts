import { grown } from '../grow'
import { WTinyLfuPolicy } from './w-tinylfu'

const NONE = -1

/**
 * A miniature W-TinyLFU cache with a fixed window, fed a sample of the real key stream (by hash) and
 * scaled down in bytes by the same factor, so its hit ratio predicts the real cache's at that window
 * (the miniature simulation of Waldspurger et al., ATC'17). Keys are hashes; values are not kept.
 */
export class MiniCache {
  hits = 0
  private readonly slots = new Map<number, number>()
  private readonly policy: WTinyLfuPolicy
  private hashes = new Int32Array(64)
  private weights = new Float64Array(64)
  private readonly free: number[] = []
  private highWater = 0
  private total = 0

  constructor(
    private readonly maxWeight: number,
    windowShare: number,
  ) {
    this.policy = new WTinyLfuPolicy({ capacity: 64, maxWeight, weightOf: (slot) => this.weights[slot]! }, { windowShare })
  }

  access(hash: number, weight: number): void {
    const slot = this.slots.get(hash)
    if (slot !== undefined) {
      this.hits++
      this.policy.onHit(slot)
      return
    }
    this.policy.onMiss(hash)
    if (weight > this.maxWeight) return
    const fresh = this.allocate(hash, weight)
    this.policy.onInsert(fresh, hash, weight)
    this.policy.evict(this.overBudget, this.evictSlot)
  }

  private readonly overBudget = () => this.total > this.maxWeight
  private readonly evictSlot = (slot: number) => {
    const weight = this.weights[slot]!
    this.total -= weight
    this.policy.onRemove(slot, weight)
    this.slots.delete(this.hashes[slot]!)
    this.hashes[slot] = NONE
    this.free.push(slot)
  }

  private allocate(hash: number, weight: number): number {
    let slot = this.free.pop()
    if (slot === undefined) {
      if (this.highWater === this.hashes.length) this.grow(this.hashes.length * 2)
      slot = this.highWater++
    }
    this.slots.set(hash, slot)
    this.hashes[slot] = hash
    this.weights[slot] = weight
    this.total += weight
    return slot
  }

  private grow(capacity: number): void {
    this.hashes = grown(this.hashes, capacity)
    this.weights = grown(this.weights, capacity)
    this.policy.resize(capacity)
  }
}
