import type { UpstreamConfig } from '../../config/schema'
import { HttpError, badRequest } from '../../http/errors'
import { pathStart } from '../../http/url'

export const PROXY_PATH = '/proxy/'

/** Where a proxied request goes: the upstream, the path and query under its base URL, and the joined URL. */
export interface Target {
  upstream: UpstreamConfig
  /** Starts with '/'; the raw (still percent-encoded) path plus the query string, as the client sent them. */
  pathAndQuery: string
  /** The upstream URL, parsed and checked on first use: a cache hit never needs it. Throws a 400 HttpError if it leaves the upstream. */
  readonly url: string
}

// Encoded characters that would change how the upstream splits the path: '/', '\', '.', '@', and C0 controls.
const ENCODED_TRICK = /%(2f|5c|2e|40|[01][0-9a-f]|7f)/i

const invalidPath = (message: string) => badRequest('INVALID_PROXY_PATH', message)

/**
 * Checks the part of a proxy path after the upstream's name. The joined URL must stay under the
 * upstream's base URL, so no segment may climb (`..`), none may be empty (`//`), and nothing may be
 * encoded to slip such a segment or another authority past this check.
 */
function checkPath(path: string): void {
  if (ENCODED_TRICK.test(path)) throw invalidPath('encoded /, \\, ., @ or control characters are not allowed in a proxied path')
  if (path.includes('\\') || path.includes('@')) throw invalidPath('\\ and @ are not allowed in a proxied path')
  const segments = path.split('/')
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i]!
    if (segment === '.' || segment === '..') throw invalidPath('dot segments are not allowed in a proxied path')
    if (segment === '' && i < segments.length - 1) throw invalidPath('empty segments (//) are not allowed in a proxied path')
  }
  try {
    decodeURIComponent(path)
  } catch {
    throw invalidPath('the path has invalid percent-encoding')
  }
}

/** `/proxy/{name}/{path}` as the upstream's name and the path under it ('/' when there is none). */
export function splitProxyPath(proxyPath: string): { name: string; subPath: string } {
  const rest = proxyPath.slice(PROXY_PATH.length)
  const slash = rest.indexOf('/')
  return slash < 0 ? { name: rest, subPath: '/' } : { name: rest.slice(0, slash), subPath: rest.slice(slash) }
}

/**
 * The upstream and the path under it for a URL in either form a client may give one: the proxy
 * path (`/proxy/name/...`) or the upstream's own URL. Undefined for a URL under no upstream.
 */
export function locate(upstreams: ReadonlyMap<string, UpstreamConfig>, url: string): { upstream: string; path: string } | undefined {
  if (url.startsWith(PROXY_PATH)) {
    const { name, subPath } = splitProxyPath(url)
    return upstreams.has(name) ? { upstream: name, path: subPath } : undefined
  }
  for (const upstream of upstreams.values()) {
    if (url === upstream.baseUrl) return { upstream: upstream.name, path: '/' }
    if (url.startsWith(`${upstream.baseUrl}/`) || url.startsWith(`${upstream.baseUrl}?`)) {
      const path = url.slice(upstream.baseUrl.length)
      return { upstream: upstream.name, path: path.startsWith('/') ? path : `/${path}` }
    }
  }
  return undefined
}

/** Resolves `/proxy/{name}/{path}?{query}` (from an absolute request URL) to its upstream URL, or throws a 4xx HttpError. */
export function resolveTarget(upstreams: ReadonlyMap<string, UpstreamConfig>, requestUrl: string): Target {
  // Routed here, the path begins with PROXY_PATH. The query keeps its '?' (a bare one included) for joining.
  const start = pathStart(requestUrl)
  const queryAt = requestUrl.indexOf('?', start)
  const path = queryAt < 0 ? requestUrl.slice(start) : requestUrl.slice(start, queryAt)
  const query = queryAt < 0 ? '' : requestUrl.slice(queryAt)
  const { name, subPath } = splitProxyPath(path)
  const upstream = upstreams.get(name)
  if (upstream === undefined) throw new HttpError(404, 'UPSTREAM_NOT_FOUND', `no upstream is named ${JSON.stringify(decodeSafely(name))}`)
  checkPath(subPath)
  let url: string | undefined
  return {
    upstream,
    pathAndQuery: subPath + query,
    get url() {
      url ??= checkedUrl(upstream, upstream.baseUrl + subPath + query)
      return url
    },
  }
}

/** A target with the key its responses are stored under. */
export interface Resolved {
  target: Target
  baseKey: string
}

/**
 * Reads resolve their URL once: the targets already resolved, by path and query (all a target
 * depends on), at most `bound` of them (past it the memory starts over). A cached read's URL is
 * otherwise checked and joined on every request, a tenth of a hit's time in a profile.
 */
export class TargetResolver {
  private readonly known = new Map<string, Resolved>()

  constructor(
    private readonly upstreams: ReadonlyMap<string, UpstreamConfig>,
    private readonly keyOf: (upstream: string, pathAndQuery: string) => string,
    private readonly bound = 10_000,
  ) {}

  /** As resolveTarget (the same errors, which are not remembered), with the base key. */
  resolve(requestUrl: string): Resolved {
    const pathAndQuery = requestUrl.slice(pathStart(requestUrl))
    let resolved = this.known.get(pathAndQuery)
    if (resolved === undefined) {
      const target = resolveTarget(this.upstreams, requestUrl)
      resolved = { target, baseKey: this.keyOf(target.upstream.name, target.pathAndQuery) }
      if (this.known.size >= this.bound) this.known.clear()
      this.known.set(pathAndQuery, resolved)
    }
    return resolved
  }
}

/** Belt and braces: whatever checkPath missed, the parsed URL must still be on the upstream's origin and base path. */
function checkedUrl(upstream: UpstreamConfig, url: string): string {
  const parsed = new URL(url)
  const base = baseOf(upstream)
  if (parsed.origin !== base.origin || !(parsed.pathname === base.path || parsed.pathname.startsWith(`${base.path}/`))) {
    throw invalidPath('the path leaves the upstream')
  }
  return url
}

const bases = new WeakMap<UpstreamConfig, { origin: string; path: string }>()

/** An upstream's origin and base path, parsed once. */
function baseOf(upstream: UpstreamConfig): { origin: string; path: string } {
  let base = bases.get(upstream)
  if (base === undefined) {
    const url = new URL(upstream.baseUrl)
    base = { origin: url.origin, path: url.pathname.replace(/\/+$/, '') }
    bases.set(upstream, base)
  }
  return base
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
