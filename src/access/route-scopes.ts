import type { Scope } from '../config/schema'

const READ_METHODS = new Set(['GET', 'HEAD'])

/**
 * The scope a request needs, from its method and path (without a trailing slash, as Elysia routes it) (so it is decided before any routing
 * or body parsing), or null for the open routes. Unknown paths need `read`: without a token they
 * answer 401, so the route table cannot be probed anonymously.
 */
export function requiredScope(method: string, pathname: string, query: string, publicMetrics: boolean): Scope | null {
  if (pathname === '/health' || pathname === '/health/ready') return null
  if (pathname === '/metrics' || pathname === '/v1/stats' || pathname === '/openapi' || pathname.startsWith('/openapi/')) {
    return publicMetrics ? null : 'admin'
  }
  const reading = READ_METHODS.has(method)
  // A lease holds off every other caller of the key until its holder writes it: a writer's job.
  if (pathname.startsWith('/v1/kv/')) return reading && (query === '' || !new URLSearchParams(query).has('lease')) ? 'read' : 'write'
  if (pathname.startsWith('/proxy/')) return reading ? 'read' : 'write'
  if (pathname.startsWith('/v1/incr/') || pathname.startsWith('/v1/touch/') || pathname === '/v1/batch') return 'write'
  if (pathname === '/v1/keys') {
    if (reading) return 'read'
    // A flush empties the whole cache, proxy responses included: an admin's job. The query is
    // decoded as the router will decode it, so `al%6C=true` is `all` here too.
    return new URLSearchParams(query).has('all') ? 'admin' : 'write'
  }
  if (pathname === '/v1/proxy/cache' || pathname.startsWith('/v1/admin/')) return 'admin'
  return 'read'
}
