// The on-disk format shared by snapshots and the journal (see docs/architecture.md, "Persistence").
//
// A file: 16-byte header (4-byte magic, u32 format version, f64 generation), then records.
// A record: u32 payload length, the same length inverted (so a damaged length is caught, not
// mistaken for a record cut off by a crash), u32 CRC-32 of the payload, the payload (little-endian).
// Payloads start with an op byte. Every value in them is absolute (whole entries, expiry times),
// so replaying a record that a snapshot already reflects changes nothing.
import type { Entry } from '../cache'

export const SNAPSHOT_MAGIC = 'FCSN'
export const JOURNAL_MAGIC = 'FCJL'
export const FORMAT_VERSION = 1
export const HEADER_BYTES = 16
const RECORD_HEADER_BYTES = 12
/** The smallest a set record can be (empty key, type and value): each set takes one version. */
export const MIN_SET_RECORD_BYTES = RECORD_HEADER_BYTES + 1 + 4 + 2 + 32 + 4

export enum Op {
  Set = 1,
  Delete = 2,
  DeletePrefix = 3,
  Flush = 4,
  Touch = 5,
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
  if (version !== FORMAT_VERSION) return `format version ${version} is not supported (this build reads ${FORMAT_VERSION})`
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
  }
  const payloadStart = offset + RECORD_HEADER_BYTES
  const length = sized.bytes - RECORD_HEADER_BYTES
  view.setUint32(offset, length, true)
  view.setUint32(offset + 4, ~length >>> 0, true)
  view.setUint32(offset + 8, Bun.hash.crc32(out.subarray(payloadStart, offset + sized.bytes)), true)
}

export type ReadResult =
  | { kind: 'record'; mutation: Mutation; next: number }
  /** The file ends inside this record: what a crash in the middle of an append leaves. */
  | { kind: 'torn' }
  | { kind: 'corrupt'; reason: string }
  | { kind: 'end' }

/** Reads the record at `offset` of a whole file. */
export function readRecord(file: Uint8Array, offset: number): ReadResult {
  if (offset === file.byteLength) return { kind: 'end' }
  if (offset + RECORD_HEADER_BYTES > file.byteLength) return { kind: 'torn' }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  const size = view.getUint32(offset, true)
  if (view.getUint32(offset + 4, true) !== ~size >>> 0) return { kind: 'corrupt', reason: 'a damaged record length' }
  const crc = view.getUint32(offset + 8, true)
  const start = offset + RECORD_HEADER_BYTES
  if (size === 0) return { kind: 'corrupt', reason: 'a record of length 0' }
  if (start + size > file.byteLength) return { kind: 'torn' }
  const payload = file.subarray(start, start + size)
  if (Bun.hash.crc32(payload) !== crc) return { kind: 'corrupt', reason: 'checksum mismatch' }
  try {
    return { kind: 'record', mutation: decodePayload(payload), next: start + size }
  } catch (error) {
    return { kind: 'corrupt', reason: (error as Error).message }
  }
}

function decodePayload(payload: Uint8Array): Mutation {
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
    case Op.Set: {
      const key = decoder.decode(getBytes(4))
      const contentType = decoder.decode(getBytes(2))
      const version = getNumber()
      const createdAt = getNumber()
      const expiresAt = getNumber()
      const staleAt = getNumber()
      // A copy: the file's buffer must not stay alive through one small view per value.
      const value = getBytes(4).slice()
      return { op, entry: { key, value, contentType, version, createdAt, expiresAt: expiresAt || null, staleAt: staleAt || null } }
    }
    case Op.Delete:
    case Op.DeletePrefix:
      return { op, key: decoder.decode(getBytes(4)) }
    case Op.Flush:
      return { op }
    case Op.Touch:
      return { op, key: decoder.decode(getBytes(4)), expiresAt: getNumber() }
    case Op.End:
      return { op, count: getNumber(), lastVersion: getNumber() }
    default:
      throw new Error(`unknown record type ${op}`)
  }
}

/**
 * Where the next intact record after damage at `offset` starts, or the file's length when none
 * does. When the record's length agrees with its inverse, only its payload is damaged: it alone is
 * skipped, provided something sane follows it. Otherwise the first offset after it where a whole
 * record checks out (length, inverse, CRC, decodable payload) is taken.
 */
export function resync(file: Uint8Array, offset: number): number {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  const framed = (at: number) =>
    at + RECORD_HEADER_BYTES <= file.byteLength && view.getUint32(at + 4, true) === ~view.getUint32(at, true) >>> 0
  if (framed(offset)) {
    const end = offset + RECORD_HEADER_BYTES + view.getUint32(offset, true)
    if (end > offset + RECORD_HEADER_BYTES && end <= file.byteLength && readRecord(file, end).kind !== 'corrupt') return end
  }
  for (let at = offset + 1; at + RECORD_HEADER_BYTES <= file.byteLength; at++) {
    if (framed(at) && readRecord(file, at).kind === 'record') return at
  }
  return file.byteLength
}
