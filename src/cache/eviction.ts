/**
 * An eviction policy orders the engine's slots (integer entry handles) and names the next victim.
 * The engine tells it about every insert, access and removal; it owns no keys or values.
 */
export interface EvictionPolicy {
  /** Makes room for slot indexes below `capacity`; existing order is kept. */
  resize(capacity: number): void
  onInsert(slot: number): void
  onAccess(slot: number): void
  onRemove(slot: number): void
  /** The slot to evict next, or -1 when nothing is tracked. */
  victim(): number
  /** Forgets every slot. */
  clear(): void
}

export type EvictionPolicyFactory = (capacity: number) => EvictionPolicy
