import { NO_RECORD, segmentBytesFor } from './arena'
import { systemClock, type Clock } from './clock'
import type { Entry } from './entry'
import { hashKey, hashKeyBytes, hashedKeyBytes, randomHashSeed } from './key-hash'
import type { EvictionPolicy, EvictionPolicyFactory } from './eviction'
import { WTinyLfuPolicy } from './policies/w-tinylfu'
import { WindowAdvisor } from './policies/window-advisor'
import { emptyRawEntry, type RawEntry } from './raw-entry'
import { MAX_KEY_BYTES, SlotTable } from './slot-table'
import { utf8Length } from './utf8'

/**
 * Bytes charged per entry on top of its key and value: the record's header and size-class rounding in
 * the arena, the slot's two numbers, its index position, the policy's links and its share of the
 * frequency sketch. Measured with `bun run bench/engine-memory.ts` (bench/RESULTS-engine-memory.md).
 */
export const ENTRY_OVERHEAD_BYTES = 72
/**
 * Room the arena may hold beyond its live records when the cache is full: free segments, holes of
 * sizes no longer written, unfilled segment tails. A share of the bound (or of the live records, when
 * they outweigh the bound: an engine charged without overhead), at least four segments.
 */
const ARENA_HEADROOM_SHARE = 1 / 64
const ARENA_HEADROOM_SEGMENTS = 2
/**
 * Slots (and the policy's arrays by slot) are sized up front for as many entries as the bound can hold,
 * when that is at most this many: a typed array's pages take memory only once written, and slots are
 * handed out from the bottom, so this costs nothing until used and spares the copies of growing step
 * by step, and the memory the old arrays keep until a full collection (at a 1 GiB bound of 100-byte
 * values, growth from 1M slots to 7.6M took ~0.1× the bound at its highest).
 */
const MAX_PRESIZED_SLOTS = 1 << 24
/** Where an engine whose bound holds more entries than that (in effect unbounded) starts. */
const UNBOUNDED_START_SLOTS = 1 << 20

const JSON_TYPE = 'application/json'
/** What a call without options gets: a default parameter would make a new object on every call. */
const NO_OPTIONS: Readonly<SetOptions> = Object.freeze({})
const encoder = new TextEncoder()
const decoder = new TextDecoder()

export interface MutationListener {
  /** An entry was written (set or incr), with everything needed to restore it exactly. */
  written(entry: Entry): void
  deleted(key: string): void
  deletedPrefix(prefix: string): void
  flushed(): void
  /** A new expiry (0: none); any soft expiry ends. */
  touched(key: string, expiresAt: number): void
}

export interface EngineOptions {
  /** Upper bound of the charged total (keys + values + overhead), in bytes. */
  maxBytes: number
  /** Applied to every entry written without an explicit TTL (unless the write keeps the old TTL). */
  defaultTtlMs?: number | null
  clock?: Clock
  policy?: EvictionPolicyFactory
  /** How often the background sweep reclaims expired entries; 0 turns it off (tests sweep by hand). */
  sweepIntervalMs?: number
  /** Per-entry overhead charged on top of key and value; the hit-ratio benchmark sets 0 to count bytes exactly. */
  entryOverheadBytes?: number
  /**
   * Seed of the key hash. Random by default, so a client cannot compute keys that pile up in one probe
   * run of the index (hash flooding); fix it only where runs must repeat exactly (benchmarks, tests).
   */
  hashSeed?: number
}

export interface WriteConditions {
  /** Only if the key is absent. */
  nx?: boolean
  /** Only if the key is present. */
  xx?: boolean
  /** Only if the key is present with this version (compare-and-set). */
  ifVersion?: number
}

export interface SetOptions extends WriteConditions {
  ttlMs?: number
  /** Keep the entry's current TTL instead of clearing it (ignored when ttlMs is given). */
  keepTtl?: boolean
  /** Soft expiry: keep the entry this long past ttlMs, marked stale (needs ttlMs). */
  staleMs?: number
}

export type SetResult =
  | { status: 'created' | 'replaced'; version: number; expiresAt: number | null; staleAt: number | null }
  | { status: 'condition-failed' }
  | { status: 'too-large' }

export type DeleteResult = 'deleted' | 'absent' | 'condition-failed'

export type IncrResult =
  | { status: 'created' | 'updated'; value: number; version: number }
  | { status: 'not-integer' | 'out-of-range' | 'too-large' }

export interface ScanPage {
  keys: string[]
  /** Where the next page starts, or null when the scan is complete. */
  next: number | null
}

export interface EngineStats {
  items: number
  bytes: number
  maxBytes: number
  hits: number
  misses: number
  sets: number
  deletes: number
  evictions: number
  expirations: number
}

/** How many slots one scan call may examine, so a sparse prefix cannot stall the event loop. */
const SCAN_SLOT_BUDGET = 65_536
/** How many slots one sweep round examines. */
const SWEEP_SLOTS_PER_ROUND = 1024
/** A tick keeps sweeping while more than this share of what it saw had expired, up to the round limit. */
const SWEEP_REPEAT_RATIO = 0.25
const SWEEP_MAX_ROUNDS_PER_TICK = 16

/** Where the engine's memory is, for benchmarks and tests: what the arena holds against what is charged. */
export interface EngineMemory {
  /** Bytes of arena segments and external value buffers held. */
  arenaBytes: number
  /** Of those, bytes in live records (at their size-class capacity) and live external buffers. */
  liveRecordBytes: number
  segments: number
  segmentBytes: number
  /** Bytes of live records before rounding to their size class (plus external buffers). */
  recordBytes: number
  /** Bytes copied by arena cleaning so far. */
  movedBytes: number
}

/**
 * The cache engine: a byte-bounded key-value store with TTLs, versions, conditional writes,
 * counters and cursor scans. It knows nothing of HTTP; every front drives it through this API.
 * All calls are synchronous, so a sequence of calls made in one turn of the event loop is atomic.
 */
export class CacheEngine {
  readonly maxBytes: number
  /** The key hash's seed (see EngineOptions.hashSeed); for tests. Never handed to clients. */
  readonly hashSeed: number
  private readonly entryOverheadBytes: number
  private readonly defaultTtlMs: number
  private readonly clock: Clock
  private readonly policy: EvictionPolicy
  private readonly slots: SlotTable
  private readonly minArenaHeadroom: number
  private readonly sweepTimer: ReturnType<typeof setInterval> | undefined
  private sweepCursor = 0
  private lastVersion = 0
  private chargedBytes = 0
  private readonly counters = { hits: 0, misses: 0, sets: 0, deletes: 0, evictions: 0, expirations: 0 }
  private listener: MutationListener | undefined
  // The record being made room for (see makeRoom), in fields so the eviction callbacks allocate nothing.
  private pendingKeyBytes = 0
  private pendingValueBytes = 0
  private pendingStale = false
  private pendingAddress = NO_RECORD
  /** The charge of the entry being written, not yet counted: the arena may hold it until eviction runs. */
  private writingCharge = 0
  /** What dump() hands out, refilled for every entry. */
  private readonly dumped = emptyRawEntry()

  constructor(options: EngineOptions) {
    this.maxBytes = options.maxBytes
    this.hashSeed = (options.hashSeed ?? randomHashSeed()) >>> 0
    this.entryOverheadBytes = options.entryOverheadBytes ?? ENTRY_OVERHEAD_BYTES
    this.defaultTtlMs = options.defaultTtlMs ?? 0
    this.clock = options.clock ?? systemClock
    const segmentBytes = segmentBytesFor(this.maxBytes)
    this.minArenaHeadroom = Math.max(ARENA_HEADROOM_SEGMENTS * segmentBytes, this.maxBytes * ARENA_HEADROOM_SHARE)
    // What the arena may hold beyond its live records: the charge budget not yet used, plus headroom.
    const fitting = Math.ceil(this.maxBytes / (this.entryOverheadBytes + 1))
    const slots = fitting <= MAX_PRESIZED_SLOTS ? fitting : UNBOUNDED_START_SLOTS
    this.slots = new SlotTable({ segmentBytes, slots, hashSeed: this.hashSeed, slack: () => this.arenaSlack() })
    const createPolicy = options.policy ?? ((context) => new WTinyLfuPolicy(context, { advisor: new WindowAdvisor(context.maxWeight) }))
    this.policy = createPolicy({ capacity: this.slots.capacity, maxWeight: this.maxBytes, weightOf: (slot) => this.chargeAt(slot) })
    const interval = options.sweepIntervalMs ?? 100
    if (interval > 0) {
      this.sweepTimer = setInterval(() => this.sweepExpired(), interval)
      this.sweepTimer.unref?.()
    }
  }

  /** Sets (or with undefined removes) the one listener told of every client change. */
  listen(listener: MutationListener | undefined): void {
    this.listener = listener
  }

  /** Stops the background sweep. */
  close(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer)
  }

  /** The charge of an entry against the memory bound. */
  chargeOf(key: string, valueBytes: number): number {
    return utf8Length(key) + valueBytes + this.entryOverheadBytes
  }

  /** Reads an entry, counting a hit or a miss. */
  get(key: string): Entry | undefined {
    const hash = hashKey(key, this.hashSeed)
    const slot = this.liveSlot(key, hash)
    if (slot < 0) {
      this.counters.misses++
      this.policy.onMiss(hash)
      return undefined
    }
    this.counters.hits++
    this.policy.onHit(slot)
    return this.entryAt(slot, key)
  }

  /** Reads an entry without counting it or touching the eviction order. */
  peek(key: string): Entry | undefined {
    const slot = this.liveSlot(key, hashKey(key, this.hashSeed))
    return slot < 0 ? undefined : this.entryAt(slot, key)
  }

  has(key: string): boolean {
    return this.liveSlot(key, hashKey(key, this.hashSeed)) >= 0
  }

  set(key: string, value: Uint8Array, contentType: string, options: SetOptions = NO_OPTIONS): SetResult {
    const hash = hashKey(key, this.hashSeed)
    const keyBytes = hashedKeyBytes
    const charge = keyBytes + value.byteLength + this.entryOverheadBytes
    if (charge > this.maxBytes || keyBytes > MAX_KEY_BYTES) return { status: 'too-large' }
    const slot = this.liveSlot(key, hash)
    if (!this.conditionsHold(slot, options)) return { status: 'condition-failed' }
    const now = this.clock.now()
    let expiresAt: number
    let staleAt = 0
    if (options.ttlMs !== undefined) {
      expiresAt = now + options.ttlMs
      if (options.staleMs !== undefined) {
        staleAt = expiresAt
        expiresAt += options.staleMs
      }
    } else if (options.keepTtl && slot >= 0) {
      expiresAt = this.slots.expiresAt(slot)
      staleAt = this.slots.staleAt(slot)
    } else expiresAt = this.defaultExpiry(now)
    const version = this.write(slot, key, hash, keyBytes, value, contentType, expiresAt, staleAt, charge, now)
    if (version < 0) return { status: 'too-large' }
    this.counters.sets++
    return { status: slot < 0 ? 'created' : 'replaced', version, expiresAt: nullIfZero(expiresAt), staleAt: nullIfZero(staleAt) }
  }

  delete(key: string, conditions: WriteConditions = NO_OPTIONS): DeleteResult {
    const slot = this.liveSlot(key, hashKey(key, this.hashSeed))
    if (slot < 0) return conditions.ifVersion === undefined ? 'absent' : 'condition-failed'
    if (!this.conditionsHold(slot, conditions)) return 'condition-failed'
    this.remove(slot)
    this.counters.deletes++
    this.listener?.deleted(key)
    return 'deleted'
  }

  /**
   * Adds `by` to an integer value. An absent key starts from 0 and takes `ttlMs` (or the default TTL);
   * an existing entry keeps its TTL.
   */
  incr(key: string, by: number, ttlMs?: number): IncrResult {
    const hash = hashKey(key, this.hashSeed)
    const keyBytes = hashedKeyBytes
    const slot = this.liveSlot(key, hash)
    let current = 0
    if (slot >= 0) {
      const parsed = parseJsonInteger(this.slots.valueView(slot))
      if (parsed === undefined) return { status: 'not-integer' }
      current = parsed
    }
    const value = current + by
    if (!Number.isSafeInteger(value)) return { status: 'out-of-range' }
    const bytes = encoder.encode(String(value))
    const charge = keyBytes + bytes.byteLength + this.entryOverheadBytes
    if (charge > this.maxBytes || keyBytes > MAX_KEY_BYTES) return { status: 'too-large' }
    const now = this.clock.now()
    let expiresAt: number
    let staleAt = 0
    if (slot >= 0) {
      expiresAt = this.slots.expiresAt(slot)
      staleAt = this.slots.staleAt(slot)
    } else if (ttlMs !== undefined) expiresAt = now + ttlMs
    else expiresAt = this.defaultExpiry(now)
    const version = this.write(slot, key, hash, keyBytes, bytes, JSON_TYPE, expiresAt, staleAt, charge, now)
    if (version < 0) return { status: 'too-large' }
    this.counters.sets++
    return { status: slot < 0 ? 'created' : 'updated', value, version }
  }

  /** Sets (or with null removes) an entry's TTL without changing its value or version. */
  touch(key: string, ttlMs: number | null): Entry | undefined {
    const slot = this.liveSlot(key, hashKey(key, this.hashSeed))
    if (slot < 0) return undefined
    const expiresAt = ttlMs === null ? 0 : this.clock.now() + ttlMs
    this.slots.setExpiresAt(slot, expiresAt)
    this.listener?.touched(key, expiresAt)
    return this.entryAt(slot, key)
  }

  /**
   * One page of keys starting with `prefix`, in slot order from `cursor`. An entry keeps its slot for
   * as long as it exists, so a key that exists for a whole scan is returned exactly once.
   */
  scan(prefix: string, limit: number, cursor = 0): ScanPage {
    const keys: string[] = []
    const end = this.slots.highWater
    const stop = Math.min(end, cursor + SCAN_SLOT_BUDGET)
    const now = this.clock.now()
    const prefixBytes = encoder.encode(prefix)
    let slot = cursor
    for (; slot < stop && keys.length < limit; slot++) {
      if (!this.slots.isLive(slot) || this.isExpired(slot, now)) continue
      if (this.slots.keyStartsWith(slot, prefixBytes)) keys.push(this.slots.key(slot))
    }
    return { keys, next: slot < end ? slot : null }
  }

  /** Deletes every live key that starts with a non-empty prefix; returns how many. */
  deletePrefix(prefix: string): number {
    const now = this.clock.now()
    const prefixBytes = encoder.encode(prefix)
    let deleted = 0
    for (let slot = 0; slot < this.slots.highWater; slot++) {
      if (!this.slots.isLive(slot) || !this.slots.keyStartsWith(slot, prefixBytes)) continue
      if (this.isExpired(slot, now)) {
        this.expire(slot)
        continue
      }
      this.remove(slot)
      deleted++
    }
    this.counters.deletes += deleted
    this.listener?.deletedPrefix(prefix)
    return deleted
  }

  /** Removes every entry; returns how many live entries there were. Versions are never reused. */
  flush(): number {
    const now = this.clock.now()
    let live = 0
    for (let slot = 0; slot < this.slots.highWater; slot++) if (this.slots.isLive(slot) && !this.isExpired(slot, now)) live++
    this.counters.deletes += live
    this.counters.expirations += this.slots.count - live
    this.slots.clear()
    this.policy.clear()
    this.policy.resize(this.slots.capacity)
    this.chargedBytes = 0
    this.sweepCursor = 0
    this.listener?.flushed()
    return live
  }

  /**
   * Live entries from slot `cursor` on, at most `limit` of them, for walking the whole cache in
   * steps (snapshots). Like scan, an entry that lives through the whole walk is seen exactly once.
   */
  entries(cursor: number, limit: number): { entries: Entry[]; next: number | null } {
    const entries: Entry[] = []
    const end = this.slots.highWater
    const now = this.clock.now()
    let slot = cursor
    for (; slot < end && entries.length < limit; slot++) {
      if (!this.slots.isLive(slot) || this.isExpired(slot, now)) continue
      entries.push(this.entryAt(slot, this.slots.key(slot)))
    }
    return { entries, next: slot < end ? slot : null }
  }

  /**
   * Like entries(), without making anything per entry (snapshots): hands each live entry from slot
   * `cursor` on to `take` as bytes in the arena, until `take` returns false (it did not take that one:
   * the next walk starts with it). The entry and its bytes are valid only during the call. Returns
   * where the next walk starts, or null when the walk is complete.
   */
  dump(cursor: number, take: (entry: RawEntry) => boolean): number | null {
    const end = this.slots.highWater
    const now = this.clock.now()
    const entry = this.dumped
    for (let slot = cursor; slot < end; slot++) {
      if (!this.slots.isLive(slot) || this.isExpired(slot, now)) continue
      this.slots.readRaw(slot, entry)
      if (!take(entry)) return slot
    }
    return null
  }

  /**
   * Makes room for `entries` more entries at once (a snapshot about to be loaded says how many it
   * holds): the slots and the index are sized once instead of growing step by step. A hint: the bound
   * still decides what is kept.
   */
  expect(entries: number): void {
    // Never more than the bound could hold: every entry is charged at least its overhead and a byte.
    const most = Math.ceil(this.maxBytes / (this.entryOverheadBytes + 1))
    const before = this.slots.capacity
    this.slots.reserveSlots(Math.min(most, this.slots.count + entries))
    if (this.slots.capacity !== before) this.policy.resize(this.slots.capacity)
  }

  /**
   * Puts back an entry exactly as it was (version, creation and expiry times) from its bytes, without
   * telling the listener: loading a snapshot or replaying a log. Its key must be valid UTF-8. It replaces
   * whatever the key held, also when it is not kept itself (expired, too large for this bound): the last
   * record of a key is its state. Later versions continue after the highest one loaded. Returns whether
   * the entry is in the cache afterwards.
   */
  load(entry: RawEntry): boolean {
    if (entry.version > this.lastVersion) this.lastVersion = entry.version
    const slots = this.slots
    const keyBytes = entry.keyLength
    const hash = hashKeyBytes(entry.keyBytes, entry.keyStart, keyBytes, this.hashSeed)
    const existing = slots.findBytes(entry.keyBytes, entry.keyStart, keyBytes, hash)
    if (existing >= 0) this.remove(existing)
    if (entry.expiresAt !== 0 && entry.expiresAt <= this.clock.now()) return false
    const charge = keyBytes + entry.valueLength + this.entryOverheadBytes
    if (charge > this.maxBytes || keyBytes > MAX_KEY_BYTES) return false
    const address = this.recordFor(keyBytes, entry.valueLength, entry.staleAt !== 0, charge)
    if (address === NO_RECORD) return false
    const slot = this.newSlot(hash)
    slots.fillRaw(slot, address, entry)
    this.adopt(slot, hash, charge)
    this.evictToBound()
    return slots.isLive(slot)
  }

  /** Applies a logged change without telling the listener (replay). */
  replay = {
    delete: (key: string) => {
      const slot = this.slots.find(key, hashKey(key, this.hashSeed))
      if (slot >= 0) this.remove(slot)
    },
    deletePrefix: (prefix: string) => {
      const prefixBytes = encoder.encode(prefix)
      for (let slot = 0; slot < this.slots.highWater; slot++)
        if (this.slots.isLive(slot) && this.slots.keyStartsWith(slot, prefixBytes)) this.remove(slot)
    },
    flush: () => {
      const listener = this.listener
      this.listener = undefined
      this.flush()
      this.listener = listener
    },
    touch: (key: string, expiresAt: number) => {
      const slot = this.slots.find(key, hashKey(key, this.hashSeed))
      if (slot >= 0) this.slots.setExpiresAt(slot, expiresAt)
    },
  }

  /**
   * Reclaims expired entries in bounded rounds over the slot table (round-robin), repeating while
   * many of the entries seen had expired. Returns how many were removed.
   */
  sweepExpired(): number {
    let removed = 0
    for (let round = 0; round < SWEEP_MAX_ROUNDS_PER_TICK; round++) {
      const end = this.slots.highWater
      if (end === 0) break
      const now = this.clock.now()
      let seen = 0
      let expired = 0
      for (let i = 0; i < SWEEP_SLOTS_PER_ROUND && i < end; i++) {
        if (this.sweepCursor >= end) this.sweepCursor = 0
        const slot = this.sweepCursor++
        if (!this.slots.isLive(slot)) continue
        seen++
        if (this.isExpired(slot, now)) {
          this.expire(slot)
          expired++
        }
      }
      removed += expired
      if (seen === 0 || expired / seen <= SWEEP_REPEAT_RATIO) break
    }
    return removed
  }

  stats(): EngineStats {
    return { items: this.slots.count, bytes: this.chargedBytes, maxBytes: this.maxBytes, ...this.counters }
  }

  /** The arena's state, next to the charged bytes of stats(). */
  memory(): EngineMemory {
    const arena = this.slots.arena
    return {
      arenaBytes: arena.allocatedBytes,
      liveRecordBytes: arena.liveBytes,
      recordBytes: arena.requestedBytes,
      segments: arena.segmentCount,
      segmentBytes: arena.segmentBytes,
      movedBytes: arena.movedBytes,
    }
  }

  /** The engine's current time, in epoch milliseconds. */
  now(): number {
    return this.clock.now()
  }

  /** The newest version handed out; the next write takes a larger one. */
  get currentVersion(): number {
    return this.lastVersion
  }

  /** Continues versions after `version` (restoring a counter saved with a snapshot): an ETag is never reused. */
  keepVersionsAbove(version: number): void {
    if (version > this.lastVersion) this.lastVersion = version
  }

  /**
   * What the arena may hold beyond its records' bytes: the charge budget not yet used, plus headroom.
   * During a write the new entry's charge is not counted yet: like the charged total, the arena may
   * take the new record before eviction runs, so admission (which may turn the new entry away) decides
   * what goes, not the order of allocation.
   * When records outweigh their charges (an engine charged with less overhead than a record's header,
   * as the hit-ratio benchmark's), the unused budget is scaled by records' bytes per charged byte, so
   * the arena can hold whatever the charges still allow.
   */
  private arenaSlack(): number {
    const records = this.slots.arena.requestedBytes
    const perCharged = this.chargedBytes > 0 ? Math.max(1, records / this.chargedBytes) : 1
    const headroom = Math.max(this.minArenaHeadroom, records * ARENA_HEADROOM_SHARE)
    return (this.maxBytes - this.chargedBytes + this.writingCharge) * perCharged + headroom
  }

  private defaultExpiry(now: number): number {
    return this.defaultTtlMs > 0 ? now + this.defaultTtlMs : 0
  }

  /** The slot of a live entry, or -1. An expired entry found on the way is removed. */
  private liveSlot(key: string, hash: number): number {
    const slot = this.slots.find(key, hash)
    if (slot < 0) return -1
    const expiresAt = this.slots.expiresAt(slot)
    if (expiresAt !== 0 && expiresAt <= this.clock.now()) {
      this.expire(slot)
      return -1
    }
    return slot
  }

  private isExpired(slot: number, now: number): boolean {
    const expiresAt = this.slots.expiresAt(slot)
    return expiresAt !== 0 && expiresAt <= now
  }

  private conditionsHold(slot: number, conditions: WriteConditions): boolean {
    if (conditions.nx && slot >= 0) return false
    if (conditions.xx && slot < 0) return false
    if (conditions.ifVersion !== undefined && (slot < 0 || this.slots.version(slot) !== conditions.ifVersion)) return false
    return true
  }

  /** The charge of a live slot (the policy's weight). */
  private chargeAt(slot: number): number {
    return this.slots.payloadBytes(slot) + this.entryOverheadBytes
  }

  /**
   * Stores a value in `slot` (or a new slot when -1) with a new version, tells the listener, evicts down
   * to the bound; returns the version, or -1 when the arena could not take it even after evicting everything.
   */
  private write(
    slot: number,
    key: string,
    hash: number,
    keyBytes: number,
    value: Uint8Array,
    contentType: string,
    expiresAt: number,
    staleAt: number,
    charge: number,
    now: number,
  ): number {
    const version = this.lastVersion + 1
    const stored = this.store(slot, key, hash, keyBytes, value, contentType, version, now, expiresAt, staleAt, charge)
    if (stored < 0) return -1
    this.lastVersion = version
    // Told before eviction runs: the write happened (with this version) even if admission turns it away.
    // The caller's bytes are what was stored; the listener encodes them at once and keeps nothing.
    if (this.listener) {
      const createdAt = this.slots.createdAt(stored)
      this.listener.written({ key, value, contentType, version, createdAt, expiresAt: nullIfZero(expiresAt), staleAt: nullIfZero(staleAt) })
    }
    // Admission may turn the new entry away at once; the write still happened, with this version.
    this.evictToBound()
    return version
  }

  /**
   * Puts an entry's record in the arena and its slot in the index and the policy. A rewrite keeps the
   * slot and its creation time; its record is rewritten in place when the new one has the same size
   * class (values handed out are copies, so nobody reads those bytes). Returns the slot, or -1.
   */
  private store(
    slot: number,
    key: string,
    hash: number,
    keyBytes: number,
    value: Uint8Array,
    contentType: string,
    version: number,
    createdAt: number,
    expiresAt: number,
    staleAt: number,
    charge: number,
  ): number {
    const slots = this.slots
    const stale = staleAt !== 0
    let previous = 0
    if (slot >= 0) {
      previous = this.chargeAt(slot)
      createdAt = slots.createdAt(slot)
    }
    let address = slot >= 0 && slots.fitsInPlace(slot, keyBytes, value.byteLength, stale) ? slots.addressOf(slot) : NO_RECORD
    if (address === NO_RECORD) {
      address = this.recordFor(keyBytes, value.byteLength, stale, charge)
      if (address === NO_RECORD) return -1
      // Making room may have evicted this very entry; then it is written as a new one.
      if (slot >= 0 && !slots.isLive(slot)) slot = -1
      else if (slot >= 0) slots.releaseRecord(slot)
    }
    if (slot < 0) {
      slot = this.newSlot(hash)
      slots.fill(slot, address, key, keyBytes, value, contentType, version, createdAt, expiresAt, staleAt)
      this.adopt(slot, hash, charge)
    } else {
      slots.fill(slot, address, key, keyBytes, value, contentType, version, createdAt, expiresAt, staleAt)
      this.chargedBytes -= previous
      this.policy.onUpdate(slot, previous, charge)
      this.chargedBytes += charge
    }
    return slot
  }

  /** A record for a new entry of this charge, evicting to make room if needed; NO_RECORD when even that fails. */
  private recordFor(keyBytes: number, valueBytes: number, stale: boolean, charge: number): number {
    this.writingCharge = charge
    let address = this.slots.reserve(keyBytes, valueBytes, stale)
    if (address === NO_RECORD) address = this.makeRoom(keyBytes, valueBytes, stale)
    this.writingCharge = 0
    return address
  }

  /** A slot for a new key (the policy grows with the slots). */
  private newSlot(hash: number): number {
    const before = this.slots.capacity
    const slot = this.slots.allocate(hash)
    if (this.slots.capacity !== before) this.policy.resize(this.slots.capacity)
    return slot
  }

  /** Makes a filled new slot findable and known to the policy, and counts its charge. */
  private adopt(slot: number, hash: number, charge: number): void {
    this.slots.insert(slot)
    this.policy.onInsert(slot, hash, charge)
    this.chargedBytes += charge
  }

  /**
   * The arena has no room for a record: evict by the policy's order until it has (the bound itself may
   * not be reached: holes of other sizes are not yet reusable). Returns the record's address, or NO_RECORD.
   */
  private makeRoom(keyBytes: number, valueBytes: number, stale: boolean): number {
    this.pendingKeyBytes = keyBytes
    this.pendingValueBytes = valueBytes
    this.pendingStale = stale
    this.pendingAddress = NO_RECORD
    this.policy.evict(this.arenaFull, this.evictVictim)
    if (this.pendingAddress === NO_RECORD) this.pendingAddress = this.slots.reserve(keyBytes, valueBytes, stale)
    return this.pendingAddress
  }

  /** Runs after every write, even under the bound: the policy also rebalances its areas here. */
  private evictToBound(): void {
    this.policy.evict(this.overBudget, this.evictVictim)
  }

  // Bound once, so a write allocates no closures.
  private readonly overBudget = () => this.chargedBytes > this.maxBytes
  private readonly arenaFull = () => {
    this.pendingAddress = this.slots.reserve(this.pendingKeyBytes, this.pendingValueBytes, this.pendingStale)
    return this.pendingAddress === NO_RECORD
  }
  private readonly evictVictim = (victim: number) => {
    // Read the clock only for entries with a TTL: most victims have none.
    if (this.slots.expiresAt(victim) !== 0 && this.isExpired(victim, this.clock.now())) this.expire(victim)
    else {
      this.remove(victim)
      this.counters.evictions++
    }
  }

  private expire(slot: number): void {
    this.remove(slot)
    this.counters.expirations++
  }

  private remove(slot: number): void {
    const charge = this.chargeAt(slot)
    this.chargedBytes -= charge
    this.policy.onRemove(slot, charge)
    this.slots.release(slot)
  }

  private entryAt(slot: number, key: string): Entry {
    return this.slots.entry(slot, key)
  }
}

function nullIfZero(time: number): number | null {
  return time === 0 ? null : time
}

/** The integer a stored value holds as JSON, or undefined when it holds anything else. */
function parseJsonInteger(bytes: Uint8Array): number | undefined {
  // Counters are short; anything long is not a safe integer worth parsing.
  if (bytes.byteLength > 64) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(decoder.decode(bytes))
  } catch {
    return undefined
  }
  return typeof parsed === 'number' && Number.isSafeInteger(parsed) ? parsed : undefined
}
