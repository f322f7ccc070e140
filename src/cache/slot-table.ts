import { Arena, NO_RECORD, OWNER_BITS } from './arena'
import { ContentTypes } from './content-types'
import type { Entry } from './entry'
import { grown } from './grow'
import { hashKeyBytes } from './key-hash'
import { KeyIndex } from './key-index'
import { copyBytes, type RawEntry } from './raw-entry'
import { equalsUtf8, startsWithBytes, writeUtf8 } from './utf8'

const MIN_CAPACITY = 1024
/** Slot arrays grow by half, not double: right after a growth at most a third of them is unused. */
const GROWTH = 1.5

// Per slot, two 32-bit numbers side by side: the record's arena address and the key's hash.
const SLOT_FIELDS = 2
/** A slot on the free list; its hash field holds the next free slot. */
const FREE_SLOT = 0xfffffffe
const NO_SLOT = 0xffffffff

// A record, in 4-byte words (docs/architecture.md, "The engine"):
//   w0  arena bits (class, free) | content type id << 10 | EXTERNAL | STALE
//   w1  key bytes | value bytes << 16 (0 when the value is external)
//   w2  version, low 32 bits        w3  version, high 16 bits | createdAt, high 16 bits << 16
//   w4  createdAt, low 32 bits      w5-w6  expiresAt (float64)
//   [w7-w8  staleAt (float64), with STALE]
//   then the key's UTF-8 bytes, then the value's bytes (or, when EXTERNAL, a 4-byte external id).
const TYPE_SHIFT = 10
const TYPE_MASK = 0x1fff
const UNINTERNED_TYPE = TYPE_MASK
const EXTERNAL = 1 << 23
const STALE = 1 << 24
const W_LENGTHS = 1
const W_VERSION = 2
const W_HIGH = 3
const W_CREATED = 4
const W_EXPIRES = 5
const W_STALE = 7
/** Record header bytes, without and with staleAt. */
export const RECORD_HEADER_BYTES = 28
const STALE_HEADER_BYTES = 36
const EXTERNAL_ID_BYTES = 4
/** Keys are counted in 16 bits; the engine refuses longer ones. */
export const MAX_KEY_BYTES = 0xffff
const TWO_32 = 2 ** 32
const MAX_48 = 2 ** 48 - 1

// Float64 <-> two 32-bit words, exactly (records are 4-byte aligned, so no Float64Array view fits them).
const float = new Float64Array(1)
const floatWords = new Uint32Array(float.buffer)
const decoder = new TextDecoder()
const NO_BYTES = new Uint8Array(0)

export interface SlotTableOptions {
  segmentBytes: number
  /** Slots to make room for at first (they grow past it); untouched pages cost no memory. */
  slots: number
  /** The seed the engine hashes keys with (a moved record's slot is found by its key's hash). */
  hashSeed: number
  /** See ArenaOptions.slack. */
  slack(): number
}

/**
 * Entry storage: keys, values and metadata in arena records, addressed from slots (stable integer
 * handles the index and the eviction policy use). A slot is two 32-bit numbers; no object is made per
 * entry. A slot keeps its number for the entry's whole life (cleaning moves records, never slots),
 * which makes slot order a stable scan order.
 */
export class SlotTable {
  readonly arena: Arena
  capacity: number
  /** One past the highest slot ever handed out since the last clear. */
  highWater = 0
  private readonly initialCapacity: number
  private readonly hashSeed: number
  private meta: Uint32Array<ArrayBuffer>
  private hashes: Int32Array<ArrayBuffer>
  private freeSlot = NO_SLOT
  private readonly types = new ContentTypes()
  private readonly index = new KeyIndex(
    (slot) => this.key(slot),
    (slot) => this.hashes[slot * SLOT_FIELDS + 1]!,
    (slot, key) => this.keyEquals(slot, key),
  )
  private movingFrom = NO_RECORD
  private readonly isMoving = (slot: number) => this.meta[slot * SLOT_FIELDS] === this.movingFrom
  // The key findBytes looks for, in fields so the comparison it hands the index is made once.
  private sought: Uint8Array = NO_BYTES
  private soughtStart = 0
  private soughtLength = 0
  private readonly holdsSought = (slot: number) => this.keyBytesEqual(slot, this.sought, this.soughtStart, this.soughtLength)

  constructor(options: SlotTableOptions) {
    this.initialCapacity = Math.max(MIN_CAPACITY, options.slots)
    this.hashSeed = options.hashSeed
    this.capacity = this.initialCapacity
    this.meta = new Uint32Array(this.capacity * SLOT_FIELDS)
    this.hashes = new Int32Array(this.meta.buffer)
    this.arena = new Arena({ segmentBytes: options.segmentBytes, slack: options.slack, moved: (from, to) => this.moved(from, to) })
  }

  /** Live slots. */
  get count(): number {
    return this.index.size
  }

  /** The slot holding `key` (whose hash is `hash`), or -1. */
  find(key: string, hash: number): number {
    return this.index.find(key, hash)
  }

  isLive(slot: number): boolean {
    return this.meta[slot * SLOT_FIELDS] !== FREE_SLOT
  }

  hash(slot: number): number {
    return this.hashes[slot * SLOT_FIELDS + 1]!
  }

  keyBytes(slot: number): number {
    const address = this.address(slot)
    return this.wordsAt(address)[this.at(address) + W_LENGTHS]! & 0xffff
  }

  version(slot: number): number {
    const address = this.address(slot)
    const words = this.wordsAt(address)
    const at = this.at(address)
    return (words[at + W_HIGH]! & 0xffff) * TWO_32 + words[at + W_VERSION]!
  }

  createdAt(slot: number): number {
    const address = this.address(slot)
    const words = this.wordsAt(address)
    const at = this.at(address)
    return (words[at + W_HIGH]! >>> 16) * TWO_32 + words[at + W_CREATED]!
  }

  /** Epoch milliseconds; 0 means no TTL. */
  expiresAt(slot: number): number {
    const address = this.address(slot)
    return readFloat(this.wordsAt(address), this.at(address) + W_EXPIRES)
  }

  /** Epoch milliseconds from which the entry is served as stale (soft expiry); 0 means never. */
  staleAt(slot: number): number {
    const address = this.address(slot)
    const words = this.wordsAt(address)
    const at = this.at(address)
    return words[at]! & STALE ? readFloat(words, at + W_STALE) : 0
  }

  /** A new expiry ends any soft expiry: the entry is fresh until it expires. */
  setExpiresAt(slot: number, expiresAt: number): void {
    const address = this.address(slot)
    const words = this.wordsAt(address)
    const at = this.at(address)
    writeFloat(words, at + W_EXPIRES, expiresAt)
    if (words[at]! & STALE) writeFloat(words, at + W_STALE, 0)
  }

  /** The slot's key, decoded (only APIs that return keys need this). */
  key(slot: number): string {
    const address = this.address(slot)
    const start = this.keyOffset(address)
    return decoder.decode(this.bytesAt(address).subarray(start, start + this.keyBytes(slot)))
  }

  keyStartsWith(slot: number, prefix: Uint8Array): boolean {
    const address = this.address(slot)
    return startsWithBytes(this.bytesAt(address), this.keyOffset(address), this.keyBytes(slot), prefix)
  }

  /**
   * The entry in the slot as the engine hands it out (the value as `value()` gives it), reading the
   * record once. `key` is the caller's string when it has one (it equals the stored key).
   */
  entry(slot: number, key: string): Entry {
    const address = this.address(slot)
    const segment = address >>> this.arena.shift
    const words = this.arena.words[segment]!
    const bytes = this.arena.bytes[segment]!
    const at = address & this.arena.mask
    const flags = words[at]!
    const lengths = words[at + W_LENGTHS]!
    const high = words[at + W_HIGH]!
    const valueStart = (at << 2) + (flags & STALE ? STALE_HEADER_BYTES : RECORD_HEADER_BYTES) + (lengths & 0xffff)
    const id = (flags >>> TYPE_SHIFT) & TYPE_MASK
    const expiresAt = readFloat(words, at + W_EXPIRES)
    const staleAt = flags & STALE ? readFloat(words, at + W_STALE) : 0
    return {
      key,
      value: flags & EXTERNAL ? this.arena.external(readId(bytes, valueStart)) : bytes.slice(valueStart, valueStart + (lengths >>> 16)),
      contentType: this.types.name(slot, id === UNINTERNED_TYPE ? -1 : id),
      version: (high & 0xffff) * TWO_32 + words[at + W_VERSION]!,
      createdAt: (high >>> 16) * TWO_32 + words[at + W_CREATED]!,
      expiresAt: expiresAt === 0 ? null : expiresAt,
      staleAt: staleAt === 0 ? null : staleAt,
    }
  }

  /** Key and value bytes of the slot's entry, what its charge is made of. */
  payloadBytes(slot: number): number {
    const address = this.address(slot)
    const words = this.wordsAt(address)
    const at = this.at(address)
    const lengths = words[at + W_LENGTHS]!
    if (words[at]! & EXTERNAL) return (lengths & 0xffff) + this.arena.external(this.externalId(address)).byteLength
    return (lengths & 0xffff) + (lengths >>> 16)
  }

  /** A view of the value for reading at once; it must not be kept (the bytes may be reused). */
  valueView(slot: number): Uint8Array {
    const address = this.address(slot)
    const words = this.wordsAt(address)
    const at = this.at(address)
    const start = this.keyOffset(address) + (words[at + W_LENGTHS]! & 0xffff)
    if (words[at]! & EXTERNAL) return this.arena.external(readId(this.bytesAt(address), start))
    return this.bytesAt(address).subarray(start, start + (words[at + W_LENGTHS]! >>> 16))
  }

  /** Whether a value this long goes to a buffer of its own rather than into the record. */
  isExternal(keyBytes: number, valueBytes: number, stale: boolean): boolean {
    return headerBytes(stale) + keyBytes + valueBytes > this.arena.inlineBytes
  }

  /** Whether the slot's record can take this key and value in place: a class it may hold, same layout, not external. */
  fitsInPlace(slot: number, keyBytes: number, valueBytes: number, stale: boolean): boolean {
    const address = this.address(slot)
    if (address === NO_RECORD || this.isExternal(keyBytes, valueBytes, stale)) return false
    const flags = this.wordsAt(address)[this.at(address)]!
    if ((flags & EXTERNAL) !== 0 || ((flags & STALE) !== 0) !== stale) return false
    return this.arena.fitsClassOf(address, headerBytes(stale) + keyBytes + valueBytes)
  }

  /**
   * Room for a record (and an external buffer when the value is large); returns its address, or
   * NO_RECORD when entries must be evicted first.
   */
  reserve(keyBytes: number, valueBytes: number, stale: boolean): number {
    if (!this.isExternal(keyBytes, valueBytes, stale)) {
      const address = this.arena.allocate(headerBytes(stale) + keyBytes + valueBytes)
      if (address !== NO_RECORD && stale) this.wordsAt(address)[this.at(address)]! |= STALE
      return address
    }
    // The buffer first: making room for it may clean segments, which must not meet a record with no owner yet.
    const id = this.arena.allocateExternal(valueBytes)
    if (id < 0) return NO_RECORD
    const address = this.arena.allocate(headerBytes(stale) + keyBytes + EXTERNAL_ID_BYTES)
    if (address === NO_RECORD) {
      this.arena.releaseExternal(id)
      return NO_RECORD
    }
    this.wordsAt(address)[this.at(address)]! |= EXTERNAL | (stale ? STALE : 0)
    writeId(this.bytesAt(address), this.keyOffset(address) + keyBytes, id)
    return address
  }

  /**
   * Writes an entry into a reserved record, or into the slot's own record rewritten in place (whose
   * key bytes are already right), and points the slot at it.
   */
  fill(
    slot: number,
    address: number,
    key: string,
    keyBytes: number,
    value: Uint8Array,
    contentType: string,
    version: number,
    createdAt: number,
    expiresAt: number,
    staleAt: number,
  ): void {
    const inPlace = this.meta[slot * SLOT_FIELDS] === address
    const keyStart = this.writeHeader(
      slot,
      address,
      inPlace,
      keyBytes,
      value.byteLength,
      contentType,
      version,
      createdAt,
      expiresAt,
      staleAt,
    )
    const bytes = this.bytesAt(address)
    if (!inPlace) writeUtf8(key, bytes, keyStart)
    if (this.isExternalAt(address)) this.arena.external(readId(bytes, keyStart + keyBytes)).set(value)
    else bytes.set(value, keyStart + keyBytes)
    this.meta[slot * SLOT_FIELDS] = address
  }

  /** fill() from bytes (loading): a new slot's reserved record takes the key's and the value's bytes as they are. */
  fillRaw(slot: number, address: number, entry: RawEntry): void {
    const keyBytes = entry.keyLength
    const { version, createdAt, expiresAt, staleAt } = entry
    const keyStart = this.writeHeader(
      slot,
      address,
      false,
      keyBytes,
      entry.valueLength,
      entry.contentType,
      version,
      createdAt,
      expiresAt,
      staleAt,
    )
    const bytes = this.bytesAt(address)
    copyBytes(entry.keyBytes, entry.keyStart, bytes, keyStart, keyBytes)
    const external = this.isExternalAt(address)
    const target = external ? this.arena.external(readId(bytes, keyStart + keyBytes)) : bytes
    copyBytes(entry.valueBytes, entry.valueStart, target, external ? 0 : keyStart + keyBytes, entry.valueLength)
    this.meta[slot * SLOT_FIELDS] = address
  }

  /** The slot's entry as bytes in the arena (see RawEntry): for walking many entries without a copy of each. */
  readRaw(slot: number, into: RawEntry): void {
    const address = this.address(slot)
    const bytes = this.bytesAt(address)
    const keyStart = this.keyOffset(address)
    const keyBytes = this.keyBytes(slot)
    into.keyBytes = bytes
    into.keyStart = keyStart
    into.keyLength = keyBytes
    if (this.isExternalAt(address)) {
      into.valueBytes = this.arena.external(readId(bytes, keyStart + keyBytes))
      into.valueStart = 0
      into.valueLength = into.valueBytes.byteLength
    } else {
      into.valueBytes = bytes
      into.valueStart = keyStart + keyBytes
      into.valueLength = this.wordsAt(address)[this.at(address) + W_LENGTHS]! >>> 16
    }
    const id = (this.wordsAt(address)[this.at(address)]! >>> TYPE_SHIFT) & TYPE_MASK
    into.contentType = this.types.name(slot, id === UNINTERNED_TYPE ? -1 : id)
    into.version = this.version(slot)
    into.createdAt = this.createdAt(slot)
    into.expiresAt = this.expiresAt(slot)
    into.staleAt = this.staleAt(slot)
  }

  /** The slot holding the key whose UTF-8 bytes are `length` bytes at `start` (its hash is `hash`), or -1. */
  findBytes(bytes: Uint8Array, start: number, length: number, hash: number): number {
    this.sought = bytes
    this.soughtStart = start
    this.soughtLength = length
    const slot = this.index.findWhere(hash, this.holdsSought)
    this.sought = NO_BYTES
    return slot
  }

  /**
   * Writes everything of a record but its key and value bytes (a rewrite in place keeps the key) and
   * returns where the key starts in the record's segment.
   */
  private writeHeader(
    slot: number,
    address: number,
    inPlace: boolean,
    keyBytes: number,
    valueBytes: number,
    contentType: string,
    version: number,
    createdAt: number,
    expiresAt: number,
    staleAt: number,
  ): number {
    const words = this.wordsAt(address)
    const at = this.at(address)
    const type = this.types.store(slot, contentType)
    const flags = words[at]! & (~OWNER_BITS | EXTERNAL | STALE)
    words[at] = flags | ((type < 0 ? UNINTERNED_TYPE : type) << TYPE_SHIFT)
    const external = (flags & EXTERNAL) !== 0
    // Rewritten in place (never external): the arena counts exact record sizes.
    if (inPlace) this.arena.resized(words[at + W_LENGTHS]! >>> 16, valueBytes)
    words[at + W_LENGTHS] = keyBytes | (external ? 0 : valueBytes << 16)
    const created = Math.min(MAX_48, Math.max(0, Math.round(createdAt)))
    const createdHigh = Math.floor(created / TWO_32)
    words[at + W_VERSION] = version >>> 0
    words[at + W_HIGH] = Math.floor(version / TWO_32) | (createdHigh << 16)
    words[at + W_CREATED] = created - createdHigh * TWO_32
    writeFloat(words, at + W_EXPIRES, expiresAt)
    if (flags & STALE) writeFloat(words, at + W_STALE, staleAt)
    return this.keyOffset(address)
  }

  private isExternalAt(address: number): boolean {
    return (this.wordsAt(address)[this.at(address)]! & EXTERNAL) !== 0
  }

  /** Frees the slot's record (and external buffer); the slot stays, without a record, until filled again. */
  releaseRecord(slot: number): void {
    const address = this.address(slot)
    if (address === NO_RECORD) return
    const words = this.wordsAt(address)
    const at = this.at(address)
    const flags = words[at]!
    const lengths = words[at + W_LENGTHS]!
    const external = (flags & EXTERNAL) !== 0
    if (external) this.arena.releaseExternal(this.externalId(address))
    this.arena.release(address, headerBytes((flags & STALE) !== 0) + (lengths & 0xffff) + (external ? EXTERNAL_ID_BYTES : lengths >>> 16))
    this.meta[slot * SLOT_FIELDS] = NO_RECORD
  }

  /** The arena address of the slot's record. */
  addressOf(slot: number): number {
    return this.address(slot)
  }

  /** Takes a slot for a new key; `insert` makes it findable once its record is filled. */
  allocate(hash: number): number {
    let slot = this.freeSlot
    if (slot !== NO_SLOT) this.freeSlot = this.meta[slot * SLOT_FIELDS + 1]!
    else {
      if (this.highWater === this.capacity) this.grow(Math.ceil((this.capacity * GROWTH) / MIN_CAPACITY) * MIN_CAPACITY)
      slot = this.highWater++
    }
    this.meta[slot * SLOT_FIELDS] = NO_RECORD
    this.hashes[slot * SLOT_FIELDS + 1] = hash
    return slot
  }

  /** Makes a filled slot findable by its key. */
  insert(slot: number): void {
    this.index.insert(slot, this.hash(slot))
  }

  /** Removes a live slot: index, record, content type; the slot number is reused later. */
  release(slot: number): void {
    this.index.remove(slot, this.hash(slot))
    this.releaseRecord(slot)
    this.types.release(slot)
    this.meta[slot * SLOT_FIELDS] = FREE_SLOT
    this.meta[slot * SLOT_FIELDS + 1] = this.freeSlot
    this.freeSlot = slot
  }

  /** Makes room for `entries` live slots in all, at once rather than step by step (loading). */
  reserveSlots(entries: number): void {
    if (entries > this.capacity) this.grow(Math.ceil(entries / MIN_CAPACITY) * MIN_CAPACITY)
    this.index.reserve(entries)
  }

  clear(): void {
    this.index.clear()
    this.arena.clear()
    this.types.clear()
    this.capacity = this.initialCapacity
    this.meta = new Uint32Array(this.capacity * SLOT_FIELDS)
    this.hashes = new Int32Array(this.meta.buffer)
    this.freeSlot = NO_SLOT
    this.highWater = 0
  }

  private grow(capacity: number): void {
    this.meta = grown(this.meta, capacity * SLOT_FIELDS)
    this.hashes = new Int32Array(this.meta.buffer)
    this.capacity = capacity
  }

  private address(slot: number): number {
    return this.meta[slot * SLOT_FIELDS]!
  }

  private wordsAt(address: number): Uint32Array {
    return this.arena.words[address >>> this.arena.shift]!
  }

  private bytesAt(address: number): Uint8Array {
    return this.arena.bytes[address >>> this.arena.shift]!
  }

  /** The record's first word within its segment. */
  private at(address: number): number {
    return address & this.arena.mask
  }

  /** Byte offset of the record's key within its segment. */
  private keyOffset(address: number): number {
    const at = this.at(address)
    return (at << 2) + (this.wordsAt(address)[at]! & STALE ? STALE_HEADER_BYTES : RECORD_HEADER_BYTES)
  }

  private externalId(address: number): number {
    return readId(this.bytesAt(address), this.keyOffset(address) + (this.wordsAt(address)[this.at(address) + W_LENGTHS]! & 0xffff))
  }

  private keyBytesEqual(slot: number, bytes: Uint8Array, start: number, length: number): boolean {
    const address = this.address(slot)
    if (address === NO_RECORD || this.keyBytes(slot) !== length) return false
    const own = this.bytesAt(address)
    const keyStart = this.keyOffset(address)
    for (let i = 0; i < length; i++) if (own[keyStart + i] !== bytes[start + i]) return false
    return true
  }

  private keyEquals(slot: number, key: string): boolean {
    const address = this.address(slot)
    if (address === NO_RECORD) return false
    return equalsUtf8(key, this.bytesAt(address), this.keyOffset(address), this.wordsAt(address)[this.at(address) + W_LENGTHS]! & 0xffff)
  }

  /** The arena moved a record: find its slot through the key's hash and point it at the new address. */
  private moved(from: number, to: number): void {
    const start = this.keyOffset(to)
    const keyBytes = this.wordsAt(to)[this.at(to) + W_LENGTHS]! & 0xffff
    const hash = hashKeyBytes(this.bytesAt(to), start, keyBytes, this.hashSeed)
    this.movingFrom = from
    const slot = this.index.findWhere(hash, this.isMoving)
    this.movingFrom = NO_RECORD
    if (slot < 0) throw new Error('arena: a moved record has no slot')
    this.meta[slot * SLOT_FIELDS] = to
  }
}

function headerBytes(stale: boolean): number {
  return stale ? STALE_HEADER_BYTES : RECORD_HEADER_BYTES
}

function readFloat(words: Uint32Array, at: number): number {
  floatWords[0] = words[at]!
  floatWords[1] = words[at + 1]!
  return float[0]!
}

function writeFloat(words: Uint32Array, at: number, value: number): void {
  float[0] = value
  words[at] = floatWords[0]!
  words[at + 1] = floatWords[1]!
}

function readId(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0
}

function writeId(bytes: Uint8Array, at: number, id: number): void {
  bytes[at] = id & 0xff
  bytes[at + 1] = (id >>> 8) & 0xff
  bytes[at + 2] = (id >>> 16) & 0xff
  bytes[at + 3] = id >>> 24
}
