import type { Entry } from '../cache'

/** Near-cache values are whole shared entries (their metadata, then the value), stored under this type. */
export const NEAR_TYPE = 'application/vnd.fastcache.near-entry'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

type Meta = Omit<Entry, 'key' | 'value'>

export function encodeNearEntry(entry: Entry): Uint8Array {
  const meta: Meta = {
    contentType: entry.contentType,
    version: entry.version,
    createdAt: entry.createdAt,
    expiresAt: entry.expiresAt,
    staleAt: entry.staleAt,
  }
  const metaBytes = encoder.encode(JSON.stringify(meta))
  const out = new Uint8Array(4 + metaBytes.byteLength + entry.value.byteLength)
  new DataView(out.buffer).setUint32(0, metaBytes.byteLength, true)
  out.set(metaBytes, 4)
  out.set(entry.value, 4 + metaBytes.byteLength)
  return out
}

// Keyed by the near engine's stored bytes: decoded once per copy, gone with it.
const decoded = new WeakMap<Uint8Array, Entry>()

export function decodeNearEntry(key: string, bytes: Uint8Array): Entry {
  const cached = decoded.get(bytes)
  if (cached !== undefined) return cached
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true)
  const meta = JSON.parse(decoder.decode(bytes.subarray(4, 4 + length))) as Meta
  const entry: Entry = { key, value: bytes.subarray(4 + length), ...meta }
  decoded.set(bytes, entry)
  return entry
}
