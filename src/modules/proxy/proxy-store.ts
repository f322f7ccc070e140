import { RESERVED_KEY_PREFIX } from '../../http/key'
import { all, then, type Entry, type MaybePromise, type Store } from '../../store'
import { varyKey } from './headers'
import { VersionMemo } from '../../cache/version-memo'
import {
  type DecodedMeta,
  RESPONSE_TYPE,
  decodeStoredResponse,
  encodeStoredResponse,
  type LoadedResponse,
  type StoredResponse,
} from './stored-response'
import { VARY_TYPE, decodeVaryMarker, encodeVaryMarker, type VaryMarker } from './vary-marker'

const NAMESPACE = `${RESERVED_KEY_PREFIX}proxy${RESERVED_KEY_PREFIX}`
const VARIANT_SEPARATOR = '\u0002'
const SCAN_PAGE = 1000
/** A marker changed by another instance between our read and our write is read again, this many times at most. */
const MARKER_ATTEMPTS = 3

export interface Lookup {
  /** The key the response for this request is (or would be) stored under. */
  key: string
  response: LoadedResponse | undefined
  /** True when the URL has responses, but none for this request's Vary values. */
  varyMiss: boolean
}

const missAt = (key: string): Lookup => ({ key, response: undefined, varyMiss: false })

/**
 * Proxy responses in the store the key-value routes use (the instance's engine, or the shared tier
 * with its near cache), under keys no key-value client can write (they start with a control
 * character). A URL's base key holds its response, or, when the upstream answered with Vary, a
 * marker (`vary-marker.ts`) listing the Vary names and the variants; each variant then has its own
 * key (see variantKey). On the local store every answer is synchronous; on the shared tier a read
 * the near cache holds is too, and anything else is a promise.
 */
export class ProxyStore {
  /** Most variants kept for one URL; past it the oldest goes, so a marker and an invalidation stay small. */
  static readonly MAX_VARIANTS = 128

  /**
   * Decoded metadata of the store's hot responses, by version and key (a shared tier's versions come
   * from Redis clocks, so two keys on two cluster shards may share one).
   */
  private readonly decoded = new VersionMemo<DecodedMeta>()

  constructor(private readonly entries: Store) {}

  private decode(key: string, bytes: Uint8Array, version: number): LoadedResponse {
    return decodeStoredResponse(bytes, { key, version, decoded: this.decoded })
  }

  static baseKey(upstream: string, pathAndQuery: string): string {
    return `${NAMESPACE}${upstream}${RESERVED_KEY_PREFIX}${pathAndQuery}`
  }

  /** The store's leases: one fetch of a key at a time across everything that shares the store. */
  get leases() {
    return this.entries.leases
  }

  lookup(baseKey: string, request: Headers): MaybePromise<Lookup> {
    const found = this.entries.get(baseKey)
    return found instanceof Promise ? found.then((entry) => this.lookedUp(baseKey, entry, request)) : this.lookedUp(baseKey, found, request)
  }

  private lookedUp(baseKey: string, entry: Entry | undefined, request: Headers): MaybePromise<Lookup> {
    if (entry === undefined) return missAt(baseKey)
    if (entry.contentType !== VARY_TYPE)
      return { key: baseKey, response: this.decode(baseKey, entry.value, entry.version), varyMiss: false }
    const marker = decodeVaryMarker(entry.value)
    if (marker === undefined) return missAt(baseKey)
    const values = varyKey(marker.vary, request)
    const key = variantKey(baseKey, marker.id, values)
    return then(this.entries.get(key), (variant) => {
      const response = variant === undefined ? undefined : this.decode(key, variant.value, variant.version)
      // Variant keys hold a hash of the values: a response stored for other values is a miss, never served.
      if (response === undefined || response.varyKey !== values) return { key, response: undefined, varyMiss: true }
      return { key, response, varyMiss: false }
    })
  }

  /** Stores a response for `retentionMs`; undefined when the store did not keep it (too large, or a marker it could not update). */
  store(
    baseKey: string,
    vary: string[],
    request: Headers,
    response: StoredResponse,
    retentionMs: number,
  ): MaybePromise<LoadedResponse | undefined> {
    const ttlMs = Math.max(1, Math.ceil(retentionMs))
    const bytes = encodeStoredResponse(response)
    const write = (key: string) => {
      if (this.entries.chargeOf(key, bytes.byteLength) > this.entries.maxBytes) return undefined
      // Decoded under the version the store gave it, so the hits that follow find it decoded.
      return then(this.entries.set(key, bytes, RESPONSE_TYPE, { ttlMs }), (result) =>
        result.status === 'created' || result.status === 'replaced' ? this.decode(key, bytes, result.version) : undefined,
      )
    }
    if (vary.length === 0) return then(this.dropVariants(baseKey), () => write(baseKey))
    const values = varyKey(vary, request)
    return then(this.markVariant(baseKey, vary, values, ttlMs), (id) =>
      id === undefined ? undefined : write(variantKey(baseKey, id, values)),
    )
  }

  /**
   * Drops every stored response for one URL: its own key, or its marker and the variants the marker
   * lists. Exact keys only, so the cost is the URL's variant count, whatever the cache holds.
   */
  invalidate(baseKey: string): MaybePromise<number> {
    return then(this.entries.peek(baseKey), (entry) => {
      if (entry === undefined) return 0
      const marker = entry.contentType === VARY_TYPE ? decodeVaryMarker(entry.value) : undefined
      return then(this.dropListed(baseKey, marker), (dropped) =>
        then(this.entries.delete(baseKey, {}), () => (entry.contentType === VARY_TYPE ? dropped : 1)),
      )
    })
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
    const tagged = (entry: Entry) =>
      entry.contentType === RESPONSE_TYPE && this.decode(entry.key, entry.value, entry.version).tags.includes(tag)
    return this.deleteWhere(NAMESPACE, tagged)
  }

  /**
   * The id of the marker at `baseKey` for these Vary names, made or updated to list `values` and to
   * outlive the variant about to be stored for `ttlMs`. A marker for other names is replaced, and
   * its variants go with it. The marker is written only if it is still the entry read (a compare on
   * its version), so on a shared tier no instance's variant is lost from it; undefined when it kept
   * changing under us.
   */
  private markVariant(baseKey: string, vary: string[], values: string, ttlMs: number, attempt = 1): MaybePromise<number | undefined> {
    return then(this.entries.peek(baseKey), (entry) => {
      const found = entry?.contentType === VARY_TYPE ? decodeVaryMarker(entry.value) : undefined
      const marker = found !== undefined && found.vary.join('\n') === vary.join('\n') ? found : undefined
      const remainingMs = entry?.expiresAt ? entry.expiresAt - this.entries.now() : 0
      const hash = valuesHash(values)
      if (marker?.variants.includes(hash)) {
        // Listed already: at most the expiry moves (the marker must outlive the variants it points to).
        return remainingMs < ttlMs ? then(this.entries.touch(baseKey, ttlMs), () => marker.id) : marker.id
      }
      // Every listed variant stays listed (up to MAX_VARIANTS, oldest out first), stored or not: one
      // listed but not yet stored may be in flight on another instance, and a variant dropped from
      // the list while its marker stays would be served but never purged.
      const listed = marker === undefined ? then(this.dropListed(baseKey, found), () => []) : marker.variants
      return then(listed, (kept) => {
        const next: VaryMarker = { vary, id: marker?.id ?? newMarkerId(), variants: [...kept, hash] }
        const evicted = next.variants.splice(0, Math.max(0, next.variants.length - ProxyStore.MAX_VARIANTS))
        const conditions = entry === undefined ? { nx: true } : { ifVersion: entry.version }
        const markerTtlMs = marker === undefined ? ttlMs : Math.max(ttlMs, remainingMs)
        const written = this.entries.set(baseKey, encodeVaryMarker(next), VARY_TYPE, { ttlMs: markerTtlMs, ...conditions })
        return then(written, (result) => {
          if (result.status === 'condition-failed')
            return attempt < MARKER_ATTEMPTS ? this.markVariant(baseKey, vary, values, ttlMs, attempt + 1) : undefined
          if (result.status === 'too-large') return undefined
          return then(all(evicted.map((gone) => this.entries.delete(variantKeyOfHash(baseKey, next.id, gone), {}))), () => next.id)
        })
      })
    })
  }

  /** Deletes the variants listed by a marker at `baseKey`, if one is there; returns how many were stored. */
  private dropVariants(baseKey: string): MaybePromise<number> {
    return then(this.entries.peek(baseKey), (entry) =>
      this.dropListed(baseKey, entry?.contentType === VARY_TYPE ? decodeVaryMarker(entry.value) : undefined),
    )
  }

  private dropListed(baseKey: string, marker: VaryMarker | undefined): MaybePromise<number> {
    if (marker === undefined) return 0
    const deleted = all(marker.variants.map((hash) => this.entries.delete(variantKeyOfHash(baseKey, marker.id, hash), {})))
    return then(deleted, (results) => results.filter((result) => result === 'deleted').length)
  }

  /**
   * Deletes the proxy entries under `prefix` that `matches` accepts, and returns how many of them were
   * responses (markers are not counted). Pages of keys (on the engine, at most 1,000 keys or 65,536
   * slots examined a call) with the event loop running between them, so a purge of a large cache
   * never stalls requests; each delete is of an exact key (journaled, or published to the tier).
   */
  private async deleteWhere(prefix: string, matches: (entry: Entry) => boolean): Promise<number> {
    let purged = 0
    let cursor: string | undefined
    do {
      const page = await this.entries.scan(prefix, SCAN_PAGE, cursor)
      const entries = await all(page.keys.map((key) => this.entries.peek(key)))
      const doomed = entries.filter((entry): entry is Entry => entry !== undefined && matches(entry))
      const results = await all(doomed.map((entry) => this.entries.delete(entry.key, {})))
      results.forEach((result, i) => {
        if (result === 'deleted' && doomed[i]!.contentType === RESPONSE_TYPE) purged++
      })
      cursor = page.next ?? undefined
      if (cursor !== undefined) await new Promise<void>((resolve) => setImmediate(resolve))
    } while (cursor !== undefined)
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

/**
 * A new marker's id: random, 53 bits, so that variants of an earlier marker (lost to eviction, or
 * written by another instance) are never reached through a new one.
 */
function newMarkerId(): number {
  const [high, low] = crypto.getRandomValues(new Uint32Array(2))
  return (high! & 0x1fffff) * 2 ** 32 + low!
}

/** True for keys the proxy owns; key listing leaves them out. */
export const isProxyKey = (key: string) => key.startsWith(NAMESPACE)
