import type { Config, Scope } from '../config/schema'
import { errorResponse } from '../http/errors'
import { type AccessRule, neededScope } from './rules'
import { covers, type TokenVerifier } from './tokens'
import { rateLimited } from '../log/rate-limited'
import type { Logger } from '../log/logger'

const REALM = 'Bearer realm="fastcache"'

// What the guard granted each request it let through with a token: its scope (features show more
// to admins) and which token it was (per-client bounds).
const granted = new WeakMap<Request, { scope: Scope; token: string }>()

/** The scope a request's token was granted, or undefined (no token, or access control off). */
export const grantedScope = (request: Request): Scope | undefined => granted.get(request)?.scope
/** Which configured token a request presented ("token 2"), or undefined; never the secret. */
export const presentedToken = (request: Request): string | undefined => granted.get(request)?.token
const BEARER = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i

/**
 * Access control for every request, before routing: with tokens configured, a request needs an
 * `Authorization: Bearer` token whose scope covers its route (401 without a valid one, 403 when the
 * scope is too narrow). Tokens are read from that header only, never from the query string.
 * Returns the refusal, or undefined to let the request through. The caller skips it while
 * `tokens` (which SIGHUP may replace) has none. Refusals are logged at info, at most 10 lines a
 * second, with the remote address: a client guessing tokens shows in the log.
 */
export function accessGuard(
  config: Pick<Config, 'publicMetrics'>,
  ruleFor: (method: string, pathname: string) => AccessRule,
  tokens: () => TokenVerifier,
  logger: Logger,
  remote: (request: Request) => string | undefined,
) {
  let refusal = { request: undefined as Request | undefined, status: 0, reason: '' }
  const logRefusal = rateLimited(10, (suppressed) => {
    const { request, status, reason } = refusal
    logger.info('access refused', {
      status,
      reason,
      method: request!.method,
      remote: remote(request!) ?? null,
      ...(suppressed > 0 ? { suppressedSinceLast: suppressed } : {}),
    })
  })
  const refuse = (request: Request, status: 401 | 403, reason: string, response: Response) => {
    refusal = { request, status, reason }
    logRefusal()
    refusal.request = undefined
    return response
  }
  return (request: Request, pathname: string, query: string): Response | undefined => {
    const needed = neededScope(ruleFor(request.method, pathname), query, config.publicMetrics)
    if (needed === null) return undefined
    const header = request.headers.get('authorization')
    if (header === null) {
      return refuse(
        request,
        401,
        'no token',
        errorResponse(401, 'UNAUTHORIZED', 'this route needs an Authorization: Bearer token', { 'www-authenticate': REALM }),
      )
    }
    const token = BEARER.exec(header)?.[1]
    const match = token === undefined ? undefined : tokens().match(token)
    if (match === undefined) {
      const invalid = errorResponse(401, 'UNAUTHORIZED', 'the bearer token is not valid', {
        'www-authenticate': `${REALM}, error="invalid_token"`,
      })
      return refuse(request, 401, 'invalid token', invalid)
    }
    const { scope } = match
    const which = `token ${match.position}`
    granted.set(request, { scope, token: which })
    if (!covers(scope, needed)) {
      const forbidden = errorResponse(403, 'FORBIDDEN', `this route needs a token with the ${needed} scope`, {
        'www-authenticate': `${REALM}, error="insufficient_scope", scope="${needed}"`,
      })
      return refuse(request, 403, `${which} (${scope}) lacks the ${needed} scope`, forbidden)
    }
    return undefined
  }
}
