import type { Config, Scope } from '../config/schema'
import { errorResponse } from '../http/errors'
import { requiredScope } from './route-scopes'
import { TokenVerifier, covers } from './tokens'

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
 * Returns the refusal, or undefined to let the request through; no check at all without tokens.
 */
export function accessGuard(config: Pick<Config, 'tokens' | 'publicMetrics'>) {
  const verifier = new TokenVerifier(config.tokens)
  if (!verifier.enabled) return undefined
  return (request: Request, pathname: string, query: string): Response | undefined => {
    const needed = requiredScope(request.method, pathname, query, config.publicMetrics)
    if (needed === null) return undefined
    const header = request.headers.get('authorization')
    if (header === null) return errorResponse(401, 'UNAUTHORIZED', 'this route needs an Authorization: Bearer token', { 'www-authenticate': REALM })
    const token = BEARER.exec(header)?.[1]
    const match = token === undefined ? undefined : verifier.match(token)
    if (match === undefined) {
      return errorResponse(401, 'UNAUTHORIZED', 'the bearer token is not valid', { 'www-authenticate': `${REALM}, error="invalid_token"` })
    }
    const { scope } = match
    granted.set(request, { scope, token: `token ${match.position}` })
    if (!covers(scope, needed)) {
      return errorResponse(403, 'FORBIDDEN', `this route needs a token with the ${needed} scope`, {
        'www-authenticate': `${REALM}, error="insufficient_scope", scope="${needed}"`,
      })
    }
    return undefined
  }
}
