import type { Entry } from '../cache'
import type { VersionMemo } from '../cache/version-memo'

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

/** What a near copy's metadata decodes to; kept by the near engine's version of the copy. */
export type NearMeta = Meta

/** A near copy as the shared entry it holds; the near engine's `version` of the copy lets `decoded` keep its metadata. */
export function decodeNearEntry(key: string, bytes: Uint8Array, version: number, decoded: VersionMemo<Meta>): Entry {
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true)
  let meta = decoded.get(version)
  if (meta === undefined) {
    meta = JSON.parse(decoder.decode(bytes.subarray(4, 4 + length))) as Meta
    decoded.set(version, meta)
  }
  return { key, value: bytes.subarray(4 + length), ...meta }
}
