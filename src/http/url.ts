// Request URLs as Bun gives them (absolute: scheme, host, path, query), read without `new URL`,
// which would cost a parse per request on the hot paths.
//
// Elysia's router takes the path from `url.indexOf('/', 11)`: the first slash after "https://" and
// three more characters. That is the real path only when the scheme and host take 11 characters or
// more, so `routable` rewrites any other request before anything reads its path, and every reader
// (access control, the fast paths, timing, the router) then finds the same path at the same place.

/** The index Elysia starts its search for the path at. */
const ROUTER_PATH_SEARCH_FROM = 11

/** Where the path begins in a URL that `routable` let through: where Elysia's router finds it too. */
export const pathStart = (url: string) => url.indexOf('/', ROUTER_PATH_SEARCH_FROM)

/** The path and the query (without its '?', '' when there is none) of a URL that `routable` let through. */
export function splitUrl(url: string): [pathname: string, query: string] {
  const start = pathStart(url)
  if (start < 0) return ['/', '']
  const queryAt = url.indexOf('?', start)
  return queryAt < 0 ? [url.slice(start), ''] : [url.slice(start, queryAt), url.slice(queryAt + 1)]
}

/** Where the path of an absolute http(s) URL really begins (after the authority), or -1. */
function realPathStart(url: string): number {
  const afterScheme = url.startsWith('http://') ? 7 : url.startsWith('https://') ? 8 : -1
  return afterScheme < 0 ? -1 : url.indexOf('/', afterScheme)
}

/**
 * A Host field value as RFC 3986 allows it: an IP literal or a registered name (or IPv4), then an
 * optional port. A comma can only come from several Host field lines joined by the runtime.
 */
const VALID_HOST = /^(?:\[[0-9A-Fa-f:.]+\]|(?:[A-Za-z0-9\-._~!$&'()*+;=]|%[0-9A-Fa-f]{2})*)(?::[0-9]*)?$/

/** Clients send the same Host on every request: the last one found valid needs no second test. */
let lastValidHost = ''

/**
 * The request as the router must see it, or undefined when its Host field is not valid (RFC 9112
 * section 3.2 asks for 400, also for more than one Host field line).
 * - A short host ("kv", "x:1") would put the path before the router's search start: the request
 *   is rebuilt on `origin`, so router and guard read the same path. Nothing reads the URL's host.
 * - Bun gives a relative URL, its path not normalised, when there is no Host field (HTTP/1.0, as
 *   health checks send; Bun itself refuses HTTP/1.1 without one) or an empty one (allowed for
 *   targets without an authority): rebuilt on `origin`, with dot segments resolved as Bun resolves
 *   them for any other request.
 */
export function routable(request: Request, origin: string): Request | undefined {
  const host = request.headers.get('host')
  if (host !== null && host !== lastValidHost) {
    if (!VALID_HOST.test(host)) return undefined
    lastValidHost = host
  }
  const url = request.url
  const start = realPathStart(url)
  if (start >= ROUTER_PATH_SEARCH_FROM && pathStart(url) === start) return request
  const path = start >= 0 ? url.slice(start) : url
  if (!path.startsWith('/')) return undefined
  try {
    // new Request(string, request) keeps the string as it is: resolve it with URL first.
    return new Request(new URL(origin + path).href, request)
  } catch {
    return undefined
  }
}
