// A block of a snapshot's entries (format version 2): one record, so one length and one CRC for many
// entries, whose key and value bytes are copied straight from the arena into it and, when loading,
// straight from it into the arena. Its payload (little-endian):
//   u8 op (Entries), u32 entry count, u32 where the type table starts (from the payload's start)
//   per entry: u8 flags (1: expiresAt follows, 2: staleAt follows), u16 type index, u16 key length,
//              u32 value length, f64 version, f64 createdAt, [f64 expiresAt], [f64 staleAt],
//              the key's UTF-8 bytes, the value's bytes
//   the type table: u16 count, then per content type its u16 length and UTF-8 bytes
import { copyBytes, isUtf8, type RawEntry } from '../cache'
import { NOT_UTF8, Op, RECORD_HEADER_BYTES, SHORT_RECORD, frame, viewOf } from './format'

const BLOCK_HEADER_BYTES = 9
const ENTRY_FIXED_BYTES = 25
/**
 * The fewest bytes one entry takes in any file (one in a block, with an empty key and value; a Set
 * record takes more). Each entry took a version, so this bounds how many versions skipped bytes held.
 */
export const MIN_ENTRY_BYTES = ENTRY_FIXED_BYTES
const EXPIRES = 1
const STALE = 2
/**
 * A block is closed once its payload reaches this size or holds this many entries (one larger entry
 * gets a block of its own). Small enough that --recover loses little with a damaged block and a step
 * of the snapshot holds the event loop well under a millisecond; large enough that the CRC, the write
 * and the loop around them are paid rarely.
 */
export const BLOCK_TARGET_BYTES = 64 * 1024
const MAX_BLOCK_ENTRIES = 1024

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** Gathers entries into one framed block at a time, in a buffer reused from block to block. */
export class BlockWriter {
  private buffer = new Uint8Array(RECORD_HEADER_BYTES + BLOCK_TARGET_BYTES + 1024)
  private view = new DataView(this.buffer.buffer)
  /** Where the next entry goes. */
  private at = RECORD_HEADER_BYTES + BLOCK_HEADER_BYTES
  private entries = 0
  private readonly typeIndex = new Map<string, number>()
  private types: Uint8Array[] = []
  private typeTableBytes = 2
  // Entries mostly repeat the type of the one before: that one is answered without a Map lookup.
  private lastType = ''
  private lastIndex = -1

  /** Entries in the block so far. */
  get count(): number {
    return this.entries
  }

  /**
   * Adds an entry if the block has room for it (an empty block always has); returns whether it did.
   * Bound, so it can be handed to the engine's dump().
   */
  readonly add = (entry: RawEntry): boolean => {
    const type = entry.contentType
    let index = type === this.lastType ? this.lastIndex : (this.typeIndex.get(type) ?? -1)
    const newType = index < 0 ? encoder.encode(type) : undefined
    const typeBytes = newType === undefined ? 0 : 2 + newType.byteLength
    const flags = (entry.expiresAt !== 0 ? EXPIRES : 0) | (entry.staleAt !== 0 ? STALE : 0)
    const size = ENTRY_FIXED_BYTES + (flags & EXPIRES ? 8 : 0) + (flags & STALE ? 8 : 0) + entry.keyLength + entry.valueLength
    const total = this.at + size + this.typeTableBytes + typeBytes
    if (this.entries > 0 && (this.entries >= MAX_BLOCK_ENTRIES || total > RECORD_HEADER_BYTES + BLOCK_TARGET_BYTES)) return false
    if (total > this.buffer.byteLength) this.grow(total)
    if (newType !== undefined) {
      index = this.types.length
      this.types.push(newType)
      this.typeIndex.set(type, index)
      this.typeTableBytes += typeBytes
    }
    this.lastType = type
    this.lastIndex = index
    const view = this.view
    let at = this.at
    view.setUint8(at, flags)
    view.setUint16(at + 1, index, true)
    view.setUint16(at + 3, entry.keyLength, true)
    view.setUint32(at + 5, entry.valueLength, true)
    view.setFloat64(at + 9, entry.version, true)
    view.setFloat64(at + 17, entry.createdAt, true)
    at += ENTRY_FIXED_BYTES
    if (flags & EXPIRES) {
      view.setFloat64(at, entry.expiresAt, true)
      at += 8
    }
    if (flags & STALE) {
      view.setFloat64(at, entry.staleAt, true)
      at += 8
    }
    copyBytes(entry.keyBytes, entry.keyStart, this.buffer, at, entry.keyLength)
    at += entry.keyLength
    copyBytes(entry.valueBytes, entry.valueStart, this.buffer, at, entry.valueLength)
    this.at = at + entry.valueLength
    this.entries++
    return true
  }

  /** The block, framed; a view of the writer's buffer, valid until the next add. The writer starts a new block. */
  finish(): Uint8Array {
    const view = this.view
    const payloadStart = RECORD_HEADER_BYTES
    let at = this.at
    view.setUint16(at, this.types.length, true)
    at += 2
    for (const type of this.types) {
      view.setUint16(at, type.byteLength, true)
      this.buffer.set(type, at + 2)
      at += 2 + type.byteLength
    }
    view.setUint8(payloadStart, Op.Entries)
    view.setUint32(payloadStart + 1, this.entries, true)
    view.setUint32(payloadStart + 5, this.at - payloadStart, true)
    frame(this.buffer, 0, at - payloadStart)
    const block = this.buffer.subarray(0, at)
    this.at = RECORD_HEADER_BYTES + BLOCK_HEADER_BYTES
    this.entries = 0
    this.typeIndex.clear()
    this.types = []
    this.typeTableBytes = 2
    this.lastType = ''
    this.lastIndex = -1
    return block
  }

  private grow(bytes: number): void {
    const buffer = new Uint8Array(bytes)
    buffer.set(this.buffer.subarray(0, this.at))
    this.buffer = buffer
    this.view = new DataView(buffer.buffer)
  }
}

/** A block's content types, in table order. */
export type BlockTypes = string[]

/**
 * Checks a whole block's payload (`file[start, end)`) before any of it is applied, so a block is loaded
 * whole or not at all: every field within bounds, every key and type UTF-8. Returns its content types,
 * or what is wrong with it.
 */
export function checkBlock(file: Uint8Array, start: number, end: number): BlockTypes | string {
  const view = viewOf(file)
  if (start + BLOCK_HEADER_BYTES > end) return SHORT_RECORD
  const count = view.getUint32(start + 1, true)
  const tableAt = start + view.getUint32(start + 5, true)
  if (tableAt + 2 > end || tableAt < start + BLOCK_HEADER_BYTES) return SHORT_RECORD
  const types: BlockTypes = []
  let at = tableAt + 2
  for (let i = view.getUint16(tableAt, true); i > 0; i--) {
    if (at + 2 > end) return SHORT_RECORD
    const length = view.getUint16(at, true)
    if (at + 2 + length > end) return SHORT_RECORD
    try {
      types.push(decoder.decode(file.subarray(at + 2, at + 2 + length)))
    } catch {
      return NOT_UTF8
    }
    at += 2 + length
  }
  if (at !== end) return 'a block longer than its fields'
  at = start + BLOCK_HEADER_BYTES
  for (let i = 0; i < count; i++) {
    if (at + ENTRY_FIXED_BYTES > tableAt) return SHORT_RECORD
    const flags = file[at]!
    if (view.getUint16(at + 1, true) >= types.length) return 'an entry with an unknown content type'
    const keyLength = view.getUint16(at + 3, true)
    const keyStart = at + ENTRY_FIXED_BYTES + (flags & EXPIRES ? 8 : 0) + (flags & STALE ? 8 : 0)
    at = keyStart + keyLength + view.getUint32(at + 5, true)
    if (at > tableAt) return SHORT_RECORD
    if (!isUtf8(file, keyStart, keyLength)) return NOT_UTF8
  }
  if (at !== tableAt) return 'a block longer than its entries'
  return types
}

/** Hands each entry of a checked block to `load`, in `into` (its key and value left where they are in `file`); returns how many. */
export function readBlock(file: Uint8Array, start: number, types: BlockTypes, into: RawEntry, load: (entry: RawEntry) => void): number {
  const view = viewOf(file)
  const count = view.getUint32(start + 1, true)
  into.keyBytes = file
  into.valueBytes = file
  let at = start + BLOCK_HEADER_BYTES
  for (let i = 0; i < count; i++) {
    const flags = file[at]!
    into.contentType = types[view.getUint16(at + 1, true)]!
    into.keyLength = view.getUint16(at + 3, true)
    into.valueLength = view.getUint32(at + 5, true)
    into.version = view.getFloat64(at + 9, true)
    into.createdAt = view.getFloat64(at + 17, true)
    at += ENTRY_FIXED_BYTES
    into.expiresAt = 0
    into.staleAt = 0
    if (flags & EXPIRES) {
      into.expiresAt = view.getFloat64(at, true)
      at += 8
    }
    if (flags & STALE) {
      into.staleAt = view.getFloat64(at, true)
      at += 8
    }
    into.keyStart = at
    into.valueStart = at + into.keyLength
    at = into.valueStart + into.valueLength
    load(into)
  }
  return count
}
