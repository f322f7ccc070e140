import type { CacheEngine } from '../../cache'
import { RESERVED_KEY_PREFIX } from '../../http/key'
import { varyKey } from './headers'
import { RESPONSE_TYPE, decodeStoredResponse, encodeStoredResponse, type LoadedResponse, type StoredResponse } from './stored-response'

/** Marks the entry at a URL's base key as a list of Vary names; the responses sit under variant keys. */
const VARY_TYPE = 'application/vnd.fastcache.proxy-vary'
const NAMESPACE = `${RESERVED_KEY_PREFIX}proxy${RESERVED_KEY_PREFIX}`
const VARIANT_SEPARATOR = '\u0002'
const SCAN_PAGE = 1000
const encoder = new TextEncoder()
const decoder = new TextDecoder()

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
 * the list of Vary names; each variant then has its own key (base key, separator, the request's values).
 */
export class ProxyStore {
  constructor(private readonly engine: CacheEngine) {}

  static baseKey(upstream: string, pathAndQuery: string): string {
    return `${NAMESPACE}${upstream}${RESERVED_KEY_PREFIX}${pathAndQuery}`
  }

  lookup(baseKey: string, request: Headers): Lookup {
    const entry = this.engine.get(baseKey)
    if (entry === undefined) return { key: baseKey, response: undefined, varyMiss: false }
    if (entry.contentType !== VARY_TYPE) return { key: baseKey, response: decodeStoredResponse(entry.value), varyMiss: false }
    const key = variantKey(baseKey, JSON.parse(decoder.decode(entry.value)) as string[], request)
    const variant = this.engine.get(key)
    return { key, response: variant === undefined ? undefined : decodeStoredResponse(variant.value), varyMiss: variant === undefined }
  }

  /** The key a response with these Vary names is stored under for this request. */
  keyFor(baseKey: string, vary: string[], request: Headers): string {
    return vary.length === 0 ? baseKey : variantKey(baseKey, vary, request)
  }

  /** Stores a response for `retentionMs`; undefined when the engine did not keep it (too large, or not admitted). */
  store(baseKey: string, vary: string[], request: Headers, response: StoredResponse, retentionMs: number): LoadedResponse | undefined {
    const ttlMs = Math.max(1, Math.ceil(retentionMs))
    const key = this.keyFor(baseKey, vary, request)
    if (vary.length > 0) {
      const marker = this.engine.peek(baseKey)
      // The marker must outlive the variants it points to, so it only ever gets longer-lived.
      const markerTtl = marker?.contentType === VARY_TYPE && marker.expiresAt !== null ? Math.max(ttlMs, marker.expiresAt - this.engine.now()) : ttlMs
      this.engine.set(baseKey, encoder.encode(JSON.stringify(vary)), VARY_TYPE, { ttlMs: markerTtl })
    }
    const bytes = encodeStoredResponse(response)
    if (this.engine.set(key, bytes, RESPONSE_TYPE, { ttlMs }).status === 'too-large') return undefined
    const kept = this.engine.peek(key)
    return kept === undefined ? undefined : decodeStoredResponse(kept.value)
  }

  /** Drops every stored response for one URL (all its variants). */
  invalidate(baseKey: string): number {
    const removed = this.engine.delete(baseKey) === 'deleted' ? 1 : 0
    return removed + this.engine.deletePrefix(baseKey + VARIANT_SEPARATOR)
  }

  /** Drops every response whose URL starts with the prefix (a path prefix under one upstream, or all). */
  invalidatePrefix(upstream: string | undefined, pathPrefix: string): number {
    return this.engine.deletePrefix(upstream === undefined ? NAMESPACE : ProxyStore.baseKey(upstream, pathPrefix))
  }

  /**
   * Drops every response tagged with `tag`: a walk over the proxy's keys (purges are rare), a page
   * at a time with the event loop running between pages, so a large cache never stalls requests.
   */
  async invalidateTag(tag: string): Promise<number> {
    let purged = 0
    let cursor: number | null = 0
    while (cursor !== null) {
      const page = this.engine.scan(NAMESPACE, SCAN_PAGE, cursor)
      for (const key of page.keys) {
        const entry = this.engine.peek(key)
        if (entry?.contentType === RESPONSE_TYPE && decodeStoredResponse(entry.value).tags.includes(tag) && this.engine.delete(key) === 'deleted') purged++
      }
      cursor = page.next
      if (cursor !== null) await new Promise<void>((resolve) => setImmediate(resolve))
    }
    return purged
  }
}

function variantKey(baseKey: string, vary: string[], request: Headers): string {
  return baseKey + VARIANT_SEPARATOR + varyKey(vary, request)
}

/** True for keys the proxy owns; key listing leaves them out. */
export const isProxyKey = (key: string) => key.startsWith(NAMESPACE)
