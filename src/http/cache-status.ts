// The Cache-Status response field (RFC 9211) as fastcache writes it.

export const CACHE_NAME = 'fastcache'

/** Why a request was forwarded (RFC 9211 section 2.2). */
export type Forward = 'bypass' | 'method' | 'uri-miss' | 'vary-miss' | 'miss' | 'request' | 'stale'

export interface CacheStatus {
  hit?: boolean
  fwd?: Forward
  fwdStatus?: number
  /** Remaining freshness in seconds; negative when stale. */
  ttlMs?: number
  stored?: boolean
  collapsed?: boolean
  detail?: string
}

/** Our list member, e.g. `fastcache; hit; ttl=376` or `fastcache; fwd=stale; fwd-status=304`. */
export function formatCacheStatus(status: CacheStatus): string {
  let out = CACHE_NAME
  if (status.hit) out += '; hit'
  if (status.fwd !== undefined) out += `; fwd=${status.fwd}`
  if (status.fwdStatus !== undefined) out += `; fwd-status=${status.fwdStatus}`
  if (status.ttlMs !== undefined) out += `; ttl=${Math.trunc(status.ttlMs / 1000)}`
  if (status.stored) out += '; stored'
  if (status.collapsed) out += '; collapsed'
  if (status.detail !== undefined) out += `; detail=${status.detail}`
  return out
}

/** Caches closer to the client come later in the list, so ours goes after any the upstream sent. */
export function appendCacheStatus(headers: Headers, status: CacheStatus): void {
  headers.set('cache-status', cacheStatusAfter(headers.get('cache-status'), status))
}

/** Adds RFC 9211's `key` parameter (an sf-string) to our member, the last of the field. */
export function withCacheKey(field: string, key: string): string {
  return `${field}; key="${key.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[^\x20-\x7e]/g, '?')}"`
}

/** The Cache-Status value with ours after the upstream's (if any). */
export function cacheStatusAfter(upstream: string | null, status: CacheStatus): string {
  const ours = formatCacheStatus(status)
  return upstream ? `${upstream}, ${ours}` : ours
}
