const INITIAL_CAPACITY = 1024

/**
 * Entry storage as parallel arrays indexed by slot, plus a Map from key to slot.
 * Numbers live in Float64Arrays, so an entry costs no object of its own. A slot keeps its index
 * for the entry's whole life (growth copies arrays in place), which makes slot order a stable scan order.
 */
export class SlotTable {
  readonly index = new Map<string, number>()
  keys: (string | undefined)[] = []
  values: (Uint8Array | undefined)[] = []
  contentTypes: (string | undefined)[] = []
  versions = new Float64Array(INITIAL_CAPACITY)
  createdAt = new Float64Array(INITIAL_CAPACITY)
  /** Epoch milliseconds; 0 means no TTL. */
  expiresAt = new Float64Array(INITIAL_CAPACITY)
  charges = new Float64Array(INITIAL_CAPACITY)
  capacity = INITIAL_CAPACITY
  /** One past the highest slot ever handed out since the last clear. */
  highWater = 0
  private free = new Int32Array(INITIAL_CAPACITY)
  private freeCount = 0

  /** Takes a slot for a new key, growing the arrays when full. */
  allocate(key: string): number {
    let slot: number
    if (this.freeCount > 0) slot = this.free[--this.freeCount]!
    else {
      if (this.highWater === this.capacity) this.grow(this.capacity * 2)
      slot = this.highWater++
    }
    this.index.set(key, slot)
    this.keys[slot] = key
    return slot
  }

  release(slot: number): void {
    this.index.delete(this.keys[slot]!)
    this.keys[slot] = undefined
    this.values[slot] = undefined
    this.contentTypes[slot] = undefined
    this.expiresAt[slot] = 0
    this.free[this.freeCount++] = slot
  }

  clear(): void {
    this.index.clear()
    this.keys = []
    this.values = []
    this.contentTypes = []
    this.capacity = INITIAL_CAPACITY
    this.versions = new Float64Array(INITIAL_CAPACITY)
    this.createdAt = new Float64Array(INITIAL_CAPACITY)
    this.expiresAt = new Float64Array(INITIAL_CAPACITY)
    this.charges = new Float64Array(INITIAL_CAPACITY)
    this.free = new Int32Array(INITIAL_CAPACITY)
    this.freeCount = 0
    this.highWater = 0
  }

  private grow(capacity: number): void {
    this.versions = resized(this.versions, capacity)
    this.createdAt = resized(this.createdAt, capacity)
    this.expiresAt = resized(this.expiresAt, capacity)
    this.charges = resized(this.charges, capacity)
    const free = new Int32Array(capacity)
    free.set(this.free)
    this.free = free
    this.capacity = capacity
  }
}

function resized(array: Float64Array, capacity: number): Float64Array<ArrayBuffer> {
  const copy = new Float64Array(capacity)
  copy.set(array)
  return copy
}
