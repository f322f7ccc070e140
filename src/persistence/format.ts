// The on-disk format shared by snapshots and the journal (see docs/architecture.md, "Persistence").
//
// A file: 16-byte header (4-byte magic, u32 format version, f64 generation), then records.
// A record: u32 payload length, the same length inverted (so a damaged length is caught, not
// mistaken for a record cut off by a crash), u32 CRC-32 of the payload, the payload (little-endian).
// Payloads start with an op byte. Every value in them is absolute (whole entries, expiry times),
// so replaying a record that a snapshot already reflects changes nothing.
// Format version 2 writes a snapshot's entries in blocks (entry-block.ts), one record and one CRC per
// block; version 1 wrote one Set record per entry. Both are read; the journal's records are alike in both.
import { isUtf8, type Entry, type RawEntry } from '../cache'

export const SNAPSHOT_MAGIC = 'FCSN'
export const JOURNAL_MAGIC = 'FCJL'
export const FORMAT_VERSION = 2
const OLDEST_READABLE_VERSION = 1
export const HEADER_BYTES = 16
export const RECORD_HEADER_BYTES = 12

export enum Op {
  Set = 1,
  Delete = 2,
  DeletePrefix = 3,
  Flush = 4,
  Touch = 5,
  /** Many entries of a snapshot in one record (entry-block.ts). */
  Entries = 6,
  /** First record of a snapshot: about how many entries follow, so loading sizes the engine once. A hint only. */
  Expect = 7,
  /** Last record of a snapshot: how many entries it holds. A snapshot without it is incomplete. */
  End = 255,
}

export type Mutation =
  | { op: Op.Set; entry: Entry }
  | { op: Op.Delete | Op.DeletePrefix; key: string }
  | { op: Op.Flush }
  | { op: Op.Touch; key: string; expiresAt: number }
  /** `lastVersion`: the engine's version counter, so versions of entries deleted before the snapshot are never reused. */
  | { op: Op.End; count: number; lastVersion: number }
  | { op: Op.Expect; entries: number }

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

export function encodeHeader(magic: string, generation: number): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES)
  const view = new DataView(out.buffer)
  out.set(encoder.encode(magic), 0)
  view.setUint32(4, FORMAT_VERSION, true)
  view.setFloat64(8, generation, true)
  return out
}

/** The generation in a header, or an error message saying what is wrong with it. */
export function decodeHeader(bytes: Uint8Array, magic: string): number | string {
  if (bytes.byteLength < HEADER_BYTES) return 'the file is shorter than its header'
  if (decoder.decode(bytes.subarray(0, 4)) !== magic)
    return `not a fastcache ${magic === SNAPSHOT_MAGIC ? 'snapshot' : 'journal'} (bad magic)`
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES)
  const version = view.getUint32(4, true)
  if (version < OLDEST_READABLE_VERSION || version > FORMAT_VERSION)
    return `format version ${version} is not supported (this build reads ${OLDEST_READABLE_VERSION} to ${FORMAT_VERSION})`
  return view.getFloat64(8, true)
}

/**
 * True when the file holds only the start of a header: what a crash leaves while a journal is
 * being created (the file exists before its header is written). Other short files are damage.
 */
export function isCutHeader(bytes: Uint8Array, magic: string): boolean {
  if (bytes.byteLength >= HEADER_BYTES) return false
  const start = encodeHeader(magic, 0).subarray(0, 8)
  return bytes.every((byte, at) => at >= start.byteLength || byte === start[at])
}

/** One record, framed and checksummed. */
export function encodeRecord(mutation: Mutation): Uint8Array {
  const sized = sizeRecord(mutation)
  const out = new Uint8Array(sized.bytes)
  writeRecord(sized, out, 0)
  return out
}

/** A record measured before writing: its strings encoded once, its size known. */
export interface SizedRecord {
  mutation: Mutation
  key?: Uint8Array
  type?: Uint8Array
  /** Framed size: header plus payload. */
  bytes: number
}

export function sizeRecord(mutation: Mutation): SizedRecord {
  let payload = 1
  let key: Uint8Array | undefined
  let type: Uint8Array | undefined
  switch (mutation.op) {
    case Op.Set:
      key = encoder.encode(mutation.entry.key)
      type = encoder.encode(mutation.entry.contentType)
      payload += 4 + key.byteLength + 2 + type.byteLength + 32 + 4 + mutation.entry.value.byteLength
      break
    case Op.Delete:
    case Op.DeletePrefix:
      key = encoder.encode(mutation.key)
      payload += 4 + key.byteLength
      break
    case Op.Touch:
      key = encoder.encode(mutation.key)
      payload += 4 + key.byteLength + 8
      break
    case Op.End:
      payload += 16
      break
    case Op.Expect:
      payload += 8
      break
  }
  return { mutation, key, type, bytes: RECORD_HEADER_BYTES + payload }
}

/** Writes a sized record into `out` at `offset` (many records share one buffer when a snapshot is written). */
export function writeRecord(sized: SizedRecord, out: Uint8Array, offset: number): void {
  const { mutation, key, type } = sized
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength)
  let at = offset + RECORD_HEADER_BYTES
  out[at++] = mutation.op
  const putBytes = (bytes: Uint8Array, lengthBytes: 2 | 4) => {
    if (lengthBytes === 2) view.setUint16(at, bytes.byteLength, true)
    else view.setUint32(at, bytes.byteLength, true)
    at += lengthBytes
    out.set(bytes, at)
    at += bytes.byteLength
  }
  const putNumber = (value: number) => {
    view.setFloat64(at, value, true)
    at += 8
  }
  switch (mutation.op) {
    case Op.Set: {
      const entry = mutation.entry
      putBytes(key!, 4)
      putBytes(type!, 2)
      putNumber(entry.version)
      putNumber(entry.createdAt)
      putNumber(entry.expiresAt ?? 0)
      putNumber(entry.staleAt ?? 0)
      putBytes(entry.value, 4)
      break
    }
    case Op.Delete:
    case Op.DeletePrefix:
      putBytes(key!, 4)
      break
    case Op.Touch:
      putBytes(key!, 4)
      putNumber(mutation.expiresAt)
      break
    case Op.End:
      putNumber(mutation.count)
      putNumber(mutation.lastVersion)
      break
    case Op.Expect:
      putNumber(mutation.entries)
      break
  }
  frame(out, offset, sized.bytes - RECORD_HEADER_BYTES)
}

/** Writes the record header for the `length` payload bytes that follow it at `offset`: length, inverse, CRC. */
export function frame(out: Uint8Array, offset: number, length: number): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength)
  const start = offset + RECORD_HEADER_BYTES
  view.setUint32(offset, length, true)
  view.setUint32(offset + 4, ~length >>> 0, true)
  view.setUint32(offset + 8, Bun.hash.crc32(out.subarray(start, start + length)), true)
}

export type FrameResult =
  /** An intact record: its payload is `file[start, end)`. */
  | { kind: 'record'; start: number; end: number }
  /** The file ends inside this record: what a crash in the middle of an append leaves. */
  | { kind: 'torn' }
  | { kind: 'corrupt'; reason: string }
  | { kind: 'end' }

// The reader looks at the same buffer record after record: one DataView for it, not one per look
// (held weakly: a window's buffer must go once loading is done).
const views = new WeakMap<Uint8Array, DataView>()

/** A DataView of `bytes`, whose offsets are those of `bytes`. */
export function viewOf(bytes: Uint8Array): DataView {
  let view = views.get(bytes)
  if (view === undefined) {
    view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    views.set(bytes, view)
  }
  return view
}

/**
 * The payload length of the record at `offset` when its header is whole and its length agrees with
 * the inverse, else -1 (read before the payload itself is: a damaged length says nothing of its size).
 */
export function framedLength(file: Uint8Array, offset: number): number {
  if (offset + RECORD_HEADER_BYTES > file.byteLength) return -1
  const view = viewOf(file)
  const length = view.getUint32(offset, true)
  return view.getUint32(offset + 4, true) === ~length >>> 0 ? length : -1
}

/** Checks the framing and CRC of the record at `offset` of `file` (a file, or a window on one that holds the whole record). */
export function readFrame(file: Uint8Array, offset: number): FrameResult {
  if (offset === file.byteLength) return { kind: 'end' }
  if (offset + RECORD_HEADER_BYTES > file.byteLength) return { kind: 'torn' }
  const view = viewOf(file)
  const size = view.getUint32(offset, true)
  if (view.getUint32(offset + 4, true) !== ~size >>> 0) return { kind: 'corrupt', reason: 'a damaged record length' }
  const crc = view.getUint32(offset + 8, true)
  const start = offset + RECORD_HEADER_BYTES
  if (size === 0) return { kind: 'corrupt', reason: 'a record of length 0' }
  if (start + size > file.byteLength) return { kind: 'torn' }
  if (Bun.hash.crc32(file.subarray(start, start + size)) !== crc) return { kind: 'corrupt', reason: 'checksum mismatch' }
  return { kind: 'record', start, end: start + size }
}

/**
 * Reads a Set record's payload (`file[start, end)`) into `into`, its key and value left where they are
 * in `file`. Returns what is wrong with it, or null.
 */
export function readSet(file: Uint8Array, start: number, end: number, into: RawEntry, types: TypeNames): string | null {
  const view = viewOf(file)
  let at = start + 1
  // Lengths first: the fixed fields take 2 + 32 + 4 bytes after the key.
  if (at + 4 > end) return SHORT_RECORD
  const keyLength = view.getUint32(at, true)
  at += 4
  if (at + keyLength + 2 > end) return SHORT_RECORD
  into.keyBytes = file
  into.keyStart = at
  into.keyLength = keyLength
  at += keyLength
  const typeLength = view.getUint16(at, true)
  at += 2
  if (at + typeLength + 36 > end) return SHORT_RECORD
  const type = types.name(file, at, typeLength)
  if (type === undefined) return NOT_UTF8
  into.contentType = type
  at += typeLength
  into.version = view.getFloat64(at, true)
  into.createdAt = view.getFloat64(at + 8, true)
  into.expiresAt = view.getFloat64(at + 16, true)
  into.staleAt = view.getFloat64(at + 24, true)
  const valueLength = view.getUint32(at + 32, true)
  at += 36
  if (at + valueLength > end) return SHORT_RECORD
  into.valueBytes = file
  into.valueStart = at
  into.valueLength = valueLength
  return isUtf8(file, into.keyStart, keyLength) ? null : NOT_UTF8
}

export const SHORT_RECORD = 'a record shorter than its fields'
export const NOT_UTF8 = 'a key or content type that is not UTF-8'

/**
 * Content types as strings, decoded from the bytes of a record without decoding the same bytes twice
 * in a row (most records repeat the type of the one before).
 */
export class TypeNames {
  private last = new Uint8Array(0)
  private lastName = ''

  /** The type in `length` bytes at `at`, or undefined when they are not UTF-8. */
  name(bytes: Uint8Array, at: number, length: number): string | undefined {
    const last = this.last
    if (length === last.byteLength) {
      let same = true
      for (let i = 0; i < length && same; i++) same = bytes[at + i] === last[i]
      if (same) return this.lastName
    }
    const copy = bytes.slice(at, at + length)
    try {
      this.lastName = decoder.decode(copy)
    } catch {
      return undefined
    }
    this.last = copy
    return this.lastName
  }
}

/** A payload of any op but Set and Entries (which load through readSet and readBlock). */
export function decodePayload(payload: Uint8Array): Mutation {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength)
  let at = 1
  const need = (bytes: number) => {
    if (at + bytes > payload.byteLength) throw new Error('a record shorter than its fields')
  }
  const getBytes = (lengthBytes: 2 | 4) => {
    need(lengthBytes)
    const length = lengthBytes === 2 ? view.getUint16(at, true) : view.getUint32(at, true)
    at += lengthBytes
    need(length)
    const bytes = payload.subarray(at, at + length)
    at += length
    return bytes
  }
  const getNumber = () => {
    need(8)
    const value = view.getFloat64(at, true)
    at += 8
    return value
  }
  const op = payload[0] as Op
  switch (op) {
    case Op.Delete:
    case Op.DeletePrefix:
      return { op, key: decoder.decode(getBytes(4)) }
    case Op.Flush:
      return { op }
    case Op.Touch:
      return { op, key: decoder.decode(getBytes(4)), expiresAt: getNumber() }
    case Op.End:
      return { op, count: getNumber(), lastVersion: getNumber() }
    case Op.Expect:
      return { op, entries: getNumber() }
    default:
      throw new Error(`unknown record type ${op}`)
  }
}
