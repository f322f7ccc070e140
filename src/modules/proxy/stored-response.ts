import type { VersionMemo } from '../../cache/version-memo'
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
  /** The lifetime is the heuristic's (RFC 9111 section 4.2.2), not the upstream's. */
  heuristic?: boolean
  /** Its age when received (RFC 9111 section 4.2.3's corrected initial age); it grows with time since responseTime. */
  initialAgeMs: number
  /** The directives that rule it (a targeted field's or Cache-Control's), as read when it was stored. */
  rules?: [string, string | true][]
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

/** A stored response's decoded metadata: everything but the body. */
export type DecodedMeta = Omit<LoadedResponse, 'body'>

/** Where a stored response's decoded metadata is remembered: the store's key and version of the bytes. */
export interface MetaMemo {
  key: string
  version: number
  decoded: VersionMemo<DecodedMeta>
}

/**
 * A stored response with its views. Given the store's key and version of the bytes and that store's
 * memo, the metadata (parsing it is most of a hit's cost) is decoded once per stored response, not
 * per read; the body is always this copy's.
 */
export function decodeStoredResponse(bytes: Uint8Array, memo?: MetaMemo): LoadedResponse {
  // The 4-byte little-endian length, read without a DataView (this runs on every hit).
  const metaLength = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0
  const body = bytes.subarray(4 + metaLength)
  const known = memo?.decoded.get(memo.version, memo.key)
  if (known !== undefined) return withBody(known, body)
  const meta = JSON.parse(decoder.decode(bytes.subarray(4, 4 + metaLength))) as Omit<StoredResponse, 'body'>
  const headerView = new Headers(meta.headers)
  const decoded: DecodedMeta = {
    ...meta,
    headerView,
    // Responses stored before rules were kept have Cache-Control's.
    directives: meta.rules === undefined ? parseCacheControl(headerView.get('cache-control')) : new Map(meta.rules),
    sendHeaders: new Headers(meta.headers.filter(([name]) => name !== 'cache-status' && name !== 'age')),
    upstreamCacheStatus: headerView.get('cache-status'),
  }
  memo?.decoded.set(memo.version, decoded, memo.key)
  return withBody(decoded, body)
}

/**
 * The metadata with this copy's body, field by field: one object of one shape, where a spread of
 * the metadata cost a hit more than the engine's read of the value.
 */
const withBody = (meta: DecodedMeta, body: Uint8Array): LoadedResponse => ({
  status: meta.status,
  headers: meta.headers,
  requestTime: meta.requestTime,
  responseTime: meta.responseTime,
  lifetimeMs: meta.lifetimeMs,
  heuristic: meta.heuristic,
  initialAgeMs: meta.initialAgeMs,
  rules: meta.rules,
  varyKey: meta.varyKey,
  tags: meta.tags,
  headerView: meta.headerView,
  directives: meta.directives,
  sendHeaders: meta.sendHeaders,
  upstreamCacheStatus: meta.upstreamCacheStatus,
  body,
})

/** A response the engine does not hold, with the views a stored one has (to answer the one client it is for). */
export const loadedFrom = (response: StoredResponse): LoadedResponse => decodeStoredResponse(encodeStoredResponse(response))

/** Surrogate keys from `Surrogate-Key` and `Cache-Tag`, space or comma separated. */
export function tagsOf(headers: Headers): string[] {
  const fields = [headers.get('surrogate-key'), headers.get('cache-tag')].filter((field) => field !== null).join(' ')
  return [...new Set(fields.split(/[\s,]+/).filter((tag) => tag.length > 0))]
}
