import { ContentTypes } from './content-types'
import { grown } from './grow'
import { KeyIndex } from './key-index'

const INITIAL_CAPACITY = 1024

// The numeric fields of a slot sit side by side in one Float64Array, so reading an entry touches one
// cache line for all of them instead of one per field.
const FIELDS = 6
const VERSION = 0
const CREATED_AT = 1
const EXPIRES_AT = 2
const CHARGE = 3
const CONTENT_TYPE = 4
const STALE_AT = 5

/**
 * Entry storage as parallel arrays indexed by slot, plus an index from key to slot. An entry costs no
 * object of its own. A slot keeps its index for the entry's whole life (growth copies arrays in place),
 * which makes slot order a stable scan order.
 */
export class SlotTable {
  keys: (string | undefined)[] = []
  values: (Uint8Array | undefined)[] = []
  private readonly types = new ContentTypes()
  capacity = INITIAL_CAPACITY
  /** One past the highest slot ever handed out since the last clear. */
  highWater = 0
  private meta = new Float64Array(INITIAL_CAPACITY * FIELDS)
  private hashes = new Int32Array(INITIAL_CAPACITY)
  private free: number[] = []
  private readonly index = new KeyIndex(
    (slot) => this.keys[slot],
    (slot) => this.hashes[slot]!,
  )

  /** Live slots. */
  get count(): number {
    return this.index.size
  }

  /** The slot holding `key` (whose hash is `hash`), or -1. */
  find(key: string, hash: number): number {
    return this.index.find(key, hash)
  }

  version(slot: number): number {
    return this.meta[slot * FIELDS + VERSION]!
  }
  createdAt(slot: number): number {
    return this.meta[slot * FIELDS + CREATED_AT]!
  }
  /** Epoch milliseconds; 0 means no TTL. */
  expiresAt(slot: number): number {
    return this.meta[slot * FIELDS + EXPIRES_AT]!
  }
  charge(slot: number): number {
    return this.meta[slot * FIELDS + CHARGE]!
  }
  /** Epoch milliseconds from which the entry is served as stale (soft expiry); 0 means never. */
  staleAt(slot: number): number {
    return this.meta[slot * FIELDS + STALE_AT]!
  }
  contentType(slot: number): string {
    return this.types.name(slot, this.meta[slot * FIELDS + CONTENT_TYPE]!)
  }

  /** A new expiry ends any soft expiry: the entry is fresh until it expires. */
  setExpiresAt(slot: number, expiresAt: number): void {
    this.meta[slot * FIELDS + EXPIRES_AT] = expiresAt
    this.meta[slot * FIELDS + STALE_AT] = 0
  }
  setCharge(slot: number, charge: number): void {
    this.meta[slot * FIELDS + CHARGE] = charge
  }

  /** Writes a value and its metadata; the charge is set separately (the policy reads it first). */
  store(slot: number, value: Uint8Array, contentType: string, version: number, expiresAt: number, staleAt: number): void {
    this.values[slot] = value
    const base = slot * FIELDS
    this.meta[base + VERSION] = version
    this.meta[base + EXPIRES_AT] = expiresAt
    this.meta[base + STALE_AT] = staleAt
    this.meta[base + CONTENT_TYPE] = this.types.store(slot, contentType)
  }

  /** Takes a slot for a new key, growing the arrays when full. */
  allocate(key: string, hash: number, createdAt: number): number {
    let slot = this.free.pop()
    if (slot === undefined) {
      if (this.highWater === this.capacity) this.grow(this.capacity * 2)
      slot = this.highWater++
    }
    this.keys[slot] = key
    this.hashes[slot] = hash
    this.index.insert(slot, hash)
    this.meta[slot * FIELDS + CREATED_AT] = createdAt
    return slot
  }

  release(slot: number): void {
    this.index.remove(slot, this.hashes[slot]!)
    this.keys[slot] = undefined
    this.values[slot] = undefined
    this.types.release(slot)
    this.meta[slot * FIELDS + EXPIRES_AT] = 0
    this.free.push(slot)
  }

  clear(): void {
    this.index.clear()
    this.keys = []
    this.values = []
    this.types.clear()
    this.capacity = INITIAL_CAPACITY
    this.meta = new Float64Array(INITIAL_CAPACITY * FIELDS)
    this.hashes = new Int32Array(INITIAL_CAPACITY)
    this.free = []
    this.highWater = 0
  }

  private grow(capacity: number): void {
    this.meta = grown(this.meta, capacity * FIELDS)
    this.hashes = grown(this.hashes, capacity)
    this.capacity = capacity
  }
}
