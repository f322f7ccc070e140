/**
 * What sits at a URL's base key when its responses vary: the Vary names, the marker's id (part of
 * every variant key, so variants of an earlier, lost marker can never be reached again), and the
 * variants stored under it (hashes of their Vary values), oldest first. Invalidating the URL deletes
 * exactly those keys; the marker is an ordinary entry, so the list is persisted and survives a restart.
 */
export interface VaryMarker {
  vary: string[]
  id: number
  variants: string[]
}

export const VARY_TYPE = 'application/vnd.fastcache.proxy-vary'
const encoder = new TextEncoder()
const decoder = new TextDecoder()

export const encodeVaryMarker = (marker: VaryMarker): Uint8Array => encoder.encode(JSON.stringify(marker))

// Keyed by the engine's stored bytes, like decoded responses: a lookup parses a marker once, not per request.
const decoded = new WeakMap<Uint8Array, VaryMarker | undefined>()

/** The marker in these bytes, or undefined for anything else (such as an older format's bare list of names). */
export function decodeVaryMarker(bytes: Uint8Array): VaryMarker | undefined {
  if (decoded.has(bytes)) return decoded.get(bytes)
  let marker: VaryMarker | undefined
  try {
    const value = JSON.parse(decoder.decode(bytes)) as Partial<VaryMarker> | null
    const wellFormed = value !== null && Array.isArray(value.vary) && Number.isSafeInteger(value.id) && Array.isArray(value.variants)
    if (wellFormed) marker = value as VaryMarker
  } catch {
    marker = undefined
  }
  decoded.set(bytes, marker)
  return marker
}
