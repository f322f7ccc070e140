import { accessGuard } from './access/guard'
import type { RemoteAddress } from './log/access-log'
import type { Logger } from './log/logger'
import type { LiveSettings } from './live-settings'
import type { Config } from './config/schema'
import { cors } from './http/cors'
import { type FastPath, fastPaths } from './http/fast-path'
import { errorResponse } from './http/errors'
import { pathStart, routable, splitUrl } from './http/url'
import type { Readiness } from './readiness'
import type { RouteTable } from './http/route-table'
import { headerLimits, type InFlight } from './http/request-limits'

type Handle = (request: Request) => Response | Promise<Response>

export interface FrontParts {
  /** The fast paths (key GET and PUT, the proxy's GET and HEAD): each answers a request before Elysia when it can, else undefined. */
  fastPaths: readonly FastPath[]
  /** Wraps a handler to time each request (the stats module's timing). */
  timed: (handle: Handle) => Handle
  /** Resolves when every change so far is durable (persistence with --fsync always); writes wait for it before answering. */
  durable?: () => Promise<void>
  /** The bound on requests in flight (its count is a metric). */
  inFlight: InFlight
  /** Settings SIGHUP can change: the tokens are read from here on every request. */
  live: LiveSettings
  logger: Logger
  remote: RemoteAddress
  /** Until the data is loaded, only the health routes answer. */
  readiness: Readiness
  /** Each route's access rule, declared beside it. */
  routes: RouteTable
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The path and query the router will see: Elysia routes `/v1/keys/` as `/v1/keys`, so the scope is decided on that. */
function routedPathAndQuery(url: string): [pathname: string, query: string] {
  const [pathname, query] = splitUrl(url)
  return [pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname, query]
}

const invalidHost = () => errorResponse(400, 'INVALID_HOST', 'the Host header field is not valid')
const starting = () => errorResponse(503, 'STARTING', 'the server is loading its data directory; try again shortly', { 'retry-after': '1' })
const isHealthRoute = (url: string) => url.startsWith('/health', pathStart(url))

/**
 * What every request goes through before Elysia routes it, in order: a URL the router reads as
 * everything else does (`routable`), the in-flight bound, header limits, CORS preflight, access
 * control, then the fast paths or Elysia; CORS fields on the way out. Everything after the URL
 * is timed. Built for Elysia's `wrap`, which calls it as `front(handle, request)(request)`.
 */
export function front(config: Config, parts: FrontParts) {
  const limits = headerLimits(config)
  const corsPolicy = cors(config.corsOrigins)
  const live = parts.live
  const routes = parts.routes
  const guard = accessGuard(
    config,
    (method, pathname) => routes.rule(method, pathname),
    () => live.tokens,
    parts.logger,
    parts.remote,
  )
  const inFlight = parts.inFlight
  const origin = config.tls === null ? 'http://localhost' : 'https://localhost'

  const fastPath = fastPaths(parts.fastPaths)

  const build = (handle: Handle): Handle => {
    // Each check that is off costs nothing per request: the common case is one fast path call.
    const inner: Handle = (request) => {
      const refused = limits?.(request) ?? corsPolicy?.preflight(request)
      if (refused !== undefined) return refused
      if (live.tokens.enabled) {
        const [pathname, query] = routedPathAndQuery(request.url)
        const refusal = guard(request, pathname, query)
        if (refusal !== undefined) return refusal
      }
      return fastPath(request) ?? handle(request)
    }
    const decorated: Handle =
      corsPolicy === undefined
        ? inner
        : (request) => {
            const result = inner(request)
            return result instanceof Promise
              ? result.then((response) => corsPolicy.decorate(request, response))
              : corsPolicy.decorate(request, result)
          }
    const durable = parts.durable
    // A write is acknowledged only once it is on disk: its answer waits for the journal's fsync.
    const acknowledged: Handle =
      durable === undefined
        ? decorated
        : async (request) => {
            const response = await decorated(request)
            if (!READS.has(request.method) && response.status < 400) {
              try {
                await durable()
              } catch {
                return errorResponse(
                  503,
                  'PERSISTENCE_FAILED',
                  'the change was made in memory but could not be written to disk; see the server log',
                )
              }
            }
            return response
          }
    const timed = parts.timed(acknowledged)
    const readiness = parts.readiness
    return (request) => {
      const routed = routable(request, origin)
      if (routed === undefined) return invalidHost()
      if (!readiness.serving && !isHealthRoute(routed.url)) return starting()
      return inFlight.run(timed, routed)
    }
  }

  // Elysia passes the same handle every time: build the chain once, not per request.
  let lastHandle: Handle | undefined
  let chain: Handle | undefined
  return (handle: Handle) => {
    if (handle !== lastHandle) {
      lastHandle = handle
      chain = build(handle)
    }
    return chain!
  }
}
