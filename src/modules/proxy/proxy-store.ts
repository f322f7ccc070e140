import type { CacheEngine, Entry } from '../../cache'
import { RESERVED_KEY_PREFIX } from '../../http/key'
import { varyKey } from './headers'
import {
  type DecodedMeta,
  RESPONSE_TYPE,
  decodeStoredResponse,
  encodeStoredResponse,
  type LoadedResponse,
  type StoredResponse,
} from './stored-response'
import { VersionMemo } from '../../cache/version-memo'
import { VARY_TYPE, decodeVaryMarker, encodeVaryMarker, type VaryMarker } from './vary-marker'

const NAMESPACE = `${RESERVED_KEY_PREFIX}proxy${RESERVED_KEY_PREFIX}`
const VARIANT_SEPARATOR = '\u0002'
const SCAN_PAGE = 1000

export interface Lookup {
  /** The key the response for this request is (or would be) stored under. */
  key: string
  response: LoadedResponse | undefined
  /** True when the URL has responses, but none for this request's Vary values. */
  varyMiss: boolean
}

/**
 * Proxy responses in the shared engine, under keys no key-value client can write (they start with a
 * control character). A URL's base key holds its response, or, when the upstream answered with Vary,
 * a marker (`vary-marker.ts`) listing the Vary names and the variants; each variant then has its own
 * key (see variantKey).
 */
export class ProxyStore {
  /** Most variants kept for one URL; past it the oldest goes, so a marker and an invalidation stay small. */
  static readonly MAX_VARIANTS = 128

  /** Decoded metadata of this engine's hot responses, by version. */
  private readonly decoded = new VersionMemo<DecodedMeta>()

  constructor(private readonly engine: CacheEngine) {}

  private decode(entry: Entry): LoadedResponse {
    return decodeStoredResponse(entry.value, { version: entry.version, decoded: this.decoded })
  }

  static baseKey(upstream: string, pathAndQuery: string): string {
    return `${NAMESPACE}${upstream}${RESERVED_KEY_PREFIX}${pathAndQuery}`
  }

  lookup(baseKey: string, request: Headers): Lookup {
    const entry = this.engine.get(baseKey)
    if (entry === undefined) return { key: baseKey, response: undefined, varyMiss: false }
    if (entry.contentType !== VARY_TYPE) return { key: baseKey, response: this.decode(entry), varyMiss: false }
    const marker = decodeVaryMarker(entry.value)
    if (marker === undefined) return { key: baseKey, response: undefined, varyMiss: false }
    const values = varyKey(marker.vary, request)
    const key = variantKey(baseKey, marker.id, values)
    const variant = this.engine.get(key)
    const response = variant === undefined ? undefined : this.decode(variant)
    // Variant keys hold a hash of the values: a response stored for other values is a miss, never served.
    if (response === undefined || response.varyKey !== values) return { key, response: undefined, varyMiss: true }
    return { key, response, varyMiss: false }
  }

  /** Stores a response for `retentionMs`; undefined when the engine did not keep it (too large, or not admitted). */
  store(baseKey: string, vary: string[], request: Headers, response: StoredResponse, retentionMs: number): LoadedResponse | undefined {
    const ttlMs = Math.max(1, Math.ceil(retentionMs))
    let key = baseKey
    if (vary.length > 0) {
      const values = varyKey(vary, request)
      key = variantKey(baseKey, this.markVariant(baseKey, vary, values, ttlMs), values)
    } else this.dropVariants(baseKey)
    const bytes = encodeStoredResponse(response)
    if (this.engine.set(key, bytes, RESPONSE_TYPE, { ttlMs }).status === 'too-large') return undefined
    const kept = this.engine.peek(key)
    return kept === undefined ? undefined : this.decode(kept)
  }

  /**
   * Drops every stored response for one URL: its own key, or its marker and the variants the marker
   * lists. Exact keys only, so the cost is the URL's variant count, whatever the cache holds.
   */
  invalidate(baseKey: string): number {
    const entry = this.engine.peek(baseKey)
    if (entry === undefined) return 0
    const purged = entry.contentType === VARY_TYPE ? this.dropVariants(baseKey) : 1
    this.engine.delete(baseKey)
    return purged
  }

  /**
   * Drops every response whose URL starts with the prefix (a path prefix under one upstream, or all),
   * a page at a time (see deleteWhere).
   */
  invalidatePrefix(upstream: string | undefined, pathPrefix: string): Promise<number> {
    return this.deleteWhere(upstream === undefined ? NAMESPACE : ProxyStore.baseKey(upstream, pathPrefix), () => true)
  }

  /** Drops every response tagged with `tag`: a walk over the proxy's keys (purges are rare), a page at a time. */
  invalidateTag(tag: string): Promise<number> {
    const tagged = (entry: Entry) => entry.contentType === RESPONSE_TYPE && this.decode(entry).tags.includes(tag)
    return this.deleteWhere(NAMESPACE, tagged)
  }

  /**
   * The id of the marker at `baseKey` for these Vary names, made or updated to list `values` and to
   * outlive the variant about to be stored for `ttlMs`. A marker for other names is replaced, and
   * its variants go with it.
   */
  private markVariant(baseKey: string, vary: string[], values: string, ttlMs: number): number {
    const entry = this.engine.peek(baseKey)
    let marker = entry?.contentType === VARY_TYPE ? decodeVaryMarker(entry.value) : undefined
    if (marker !== undefined && marker.vary.join('\n') !== vary.join('\n')) {
      this.dropVariants(baseKey)
      marker = undefined
    }
    const remainingMs = entry?.expiresAt ? entry.expiresAt - this.engine.now() : 0
    const markerTtlMs = marker === undefined ? ttlMs : Math.max(ttlMs, remainingMs)
    const hash = valuesHash(values)
    if (marker?.variants.includes(hash)) {
      // Listed already: at most the expiry moves (the marker must outlive the variants it points to).
      if (remainingMs < ttlMs) this.engine.touch(baseKey, ttlMs)
      return marker.id
    }
    // A new marker's id is the version its write takes: versions are never reused (persistence keeps them across restarts).
    const next: VaryMarker =
      marker === undefined
        ? { vary, id: this.engine.currentVersion + 1, variants: [] }
        : { ...marker, variants: this.liveVariants(baseKey, marker) }
    next.variants.push(hash)
    while (next.variants.length > ProxyStore.MAX_VARIANTS) this.engine.delete(variantKeyOfHash(baseKey, next.id, next.variants.shift()!))
    this.engine.set(baseKey, encodeVaryMarker(next), VARY_TYPE, { ttlMs: markerTtlMs })
    return next.id
  }

  /** The marker's variants still stored (evicted, expired or purged ones leave the list when it is next written). */
  private liveVariants(baseKey: string, marker: VaryMarker): string[] {
    return marker.variants.filter((hash) => this.engine.has(variantKeyOfHash(baseKey, marker.id, hash)))
  }

  /** Deletes the variants listed by a marker at `baseKey`, if one is there; returns how many were stored. */
  private dropVariants(baseKey: string): number {
    const entry = this.engine.peek(baseKey)
    const marker = entry?.contentType === VARY_TYPE ? decodeVaryMarker(entry.value) : undefined
    if (marker === undefined) return 0
    let dropped = 0
    for (const hash of marker.variants) if (this.engine.delete(variantKeyOfHash(baseKey, marker.id, hash)) === 'deleted') dropped++
    return dropped
  }

  /**
   * Deletes the proxy entries under `prefix` that `matches` accepts, and returns how many of them were
   * responses (markers are not counted). Pages of keys (at most 1,000 keys or 65,536 slots examined
   * a call) with the event loop running between them, so a purge of a large cache never stalls
   * requests; each delete is journaled as an exact key.
   */
  private async deleteWhere(prefix: string, matches: (entry: Entry) => boolean): Promise<number> {
    let purged = 0
    let cursor: number | null = 0
    while (cursor !== null) {
      const page = this.engine.scan(prefix, SCAN_PAGE, cursor)
      for (const key of page.keys) {
        const entry = this.engine.peek(key)
        if (entry === undefined || !matches(entry) || this.engine.delete(key) !== 'deleted') continue
        if (entry.contentType === RESPONSE_TYPE) purged++
      }
      cursor = page.next
      if (cursor !== null) await new Promise<void>((resolve) => setImmediate(resolve))
    }
    return purged
  }
}

/**
 * A variant's key: the base key, the marker's id and a hash of the request's Vary values. Hashed, so
 * keys and markers stay small whatever clients send (a stored response keeps its values, which
 * lookups compare).
 */
function variantKey(baseKey: string, markerId: number, values: string): string {
  return variantKeyOfHash(baseKey, markerId, valuesHash(values))
}

function variantKeyOfHash(baseKey: string, markerId: number, hash: string): string {
  return `${baseKey}${VARIANT_SEPARATOR}${markerId}${VARIANT_SEPARATOR}${hash}`
}

const valuesHash = (values: string) => Bun.hash(values).toString(36)

/** True for keys the proxy owns; key listing leaves them out. */
export const isProxyKey = (key: string) => key.startsWith(NAMESPACE)
