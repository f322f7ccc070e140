import type { EvictionPolicy, PolicyContext } from '../eviction'
import { SlotQueues } from './slot-queues'

const ONLY = 0
const NONE = -1

/** Exact LRU: one queue, hits move to the head, victims come from the tail. A baseline and a fallback. */
export class LruPolicy implements EvictionPolicy {
  private readonly queue: SlotQueues

  constructor(context: PolicyContext) {
    this.queue = new SlotQueues(1, context.capacity)
  }

  resize(capacity: number): void {
    this.queue.resize(capacity)
  }
  onInsert(slot: number): void {
    this.queue.pushHead(ONLY, slot)
  }
  onUpdate(slot: number): void {
    this.queue.moveToHead(ONLY, slot)
  }
  onHit(slot: number): void {
    this.queue.moveToHead(ONLY, slot)
  }
  onMiss(): void {}
  onRemove(slot: number): void {
    this.queue.unlink(slot)
  }
  evict(overBudget: () => boolean, evict: (slot: number) => void): void {
    while (overBudget()) {
      const victim = this.queue.tail(ONLY)
      if (victim === NONE) return
      evict(victim)
    }
  }
  clear(): void {
    this.queue.clear()
  }
}
