import { parseCacheControl, type Directives } from './cache-control'

/** A response as the proxy keeps it: what to send again, and what its freshness is computed from. */
export interface StoredResponse {
  status: number
  /** End-to-end fields as received, without Content-Length. */
  headers: [string, string][]
  /** When the upstream request was sent and its answer received (epoch ms, the engine's clock). */
  requestTime: number
  responseTime: number
  /** The freshness lifetime fixed when stored (it may come from the upstream's default TTL). */
  lifetimeMs: number
  /** Its age when received (RFC 9111 section 4.2.3's corrected initial age); it grows with time since responseTime. */
  initialAgeMs: number
  /** The Vary key this response was stored under ('' without Vary). */
  varyKey: string
  /** Surrogate keys from Surrogate-Key / Cache-Tag, for purge by tag. */
  tags: string[]
  body: Uint8Array
}

/** A stored response with the views every reuse needs, built once per stored value. */
export interface LoadedResponse extends StoredResponse {
  headerView: Headers
  directives: Directives
  /** The stored fields to send again, without Age and Cache-Status (set per answer); Bun copies it into each Response. */
  sendHeaders: Headers
  upstreamCacheStatus: string | null
}

export const RESPONSE_TYPE = 'application/vnd.fastcache.proxy-response'
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** One byte string: a 4-byte little-endian length, the metadata as JSON, then the body. */
export function encodeStoredResponse(response: StoredResponse): Uint8Array {
  const { body, ...meta } = response
  const metaBytes = encoder.encode(JSON.stringify(meta))
  const out = new Uint8Array(4 + metaBytes.byteLength + body.byteLength)
  new DataView(out.buffer).setUint32(0, metaBytes.byteLength, true)
  out.set(metaBytes, 4)
  out.set(body, 4 + metaBytes.byteLength)
  return out
}

// Keyed by the engine's stored bytes: a replaced or evicted value takes its decoded form with it.
const loaded = new WeakMap<Uint8Array, LoadedResponse>()

export function decodeStoredResponse(bytes: Uint8Array): LoadedResponse {
  const cached = loaded.get(bytes)
  if (cached !== undefined) return cached
  const metaLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true)
  const meta = JSON.parse(decoder.decode(bytes.subarray(4, 4 + metaLength))) as Omit<StoredResponse, 'body'>
  const headerView = new Headers(meta.headers)
  const response: LoadedResponse = {
    ...meta,
    body: bytes.subarray(4 + metaLength),
    headerView,
    directives: parseCacheControl(headerView.get('cache-control')),
    sendHeaders: new Headers(meta.headers.filter(([name]) => name !== 'cache-status' && name !== 'age')),
    upstreamCacheStatus: headerView.get('cache-status'),
  }
  loaded.set(bytes, response)
  return response
}

/** A response the engine does not hold, with the views a stored one has (to answer the one client it is for). */
export const loadedFrom = (response: StoredResponse): LoadedResponse => decodeStoredResponse(encodeStoredResponse(response))

/** Surrogate keys from `Surrogate-Key` and `Cache-Tag`, space or comma separated. */
export function tagsOf(headers: Headers): string[] {
  const fields = [headers.get('surrogate-key'), headers.get('cache-tag')].filter((field) => field !== null).join(' ')
  return [...new Set(fields.split(/[\s,]+/).filter((tag) => tag.length > 0))]
}
