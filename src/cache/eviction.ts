/**
 * An eviction policy orders the engine's slots (integer entry handles) and chooses what to evict.
 * The engine reports every insert, update, hit, miss and removal, with entry weights in bytes;
 * the policy owns no keys or values. Hashes identify keys for frequency estimates, including keys
 * that are not (or no longer) cached.
 */
export interface EvictionPolicy {
  /** Makes room for slot indexes below `capacity`; existing state is kept. */
  resize(capacity: number): void
  onInsert(slot: number, hash: number, weight: number): void
  /** An existing entry was rewritten; its weight may have changed. Counts as a use. */
  onUpdate(slot: number, oldWeight: number, newWeight: number): void
  onHit(slot: number): void
  onMiss(hash: number): void
  onRemove(slot: number, weight: number): void
  /** Calls `evict(slot)` (which must end in onRemove) until `overBudget()` is false or nothing is left. */
  evict(overBudget: () => boolean, evict: (slot: number) => void): void
  /** Forgets every slot. */
  clear(): void
}

export interface PolicyContext {
  /** Initial slot capacity. */
  capacity: number
  /** The byte bound the engine keeps. */
  maxWeight: number
  /** The current weight (charge) of a tracked slot. */
  weightOf(slot: number): number
}

export type EvictionPolicyFactory = (context: PolicyContext) => EvictionPolicy
