/** Response fields a browser script may read besides the safelisted ones. */
const EXPOSED = 'ETag, Lease, Cache-Status, Age, Retry-After, Location'
const ALLOWED_HEADERS = 'Authorization, Content-Type, If-Match, If-None-Match, Cache-Control'
const METHODS = 'GET, HEAD, PUT, POST, DELETE, PATCH, OPTIONS'

/**
 * CORS for the configured origins only; with none configured it is off and adds nothing.
 * `preflight` answers an OPTIONS preflight from an allowed origin (before access control: browsers
 * send preflights without credentials); `decorate` adds the allow fields to a response.
 */
export function cors(origins: string[]) {
  if (origins.length === 0) return undefined
  const any = origins.includes('*')
  const allowed = (origin: string | null): origin is string => origin !== null && (any || origins.includes(origin))
  return {
    preflight(request: Request): Response | undefined {
      if (request.method !== 'OPTIONS' || request.headers.get('access-control-request-method') === null) return undefined
      const origin = request.headers.get('origin')
      if (!allowed(origin)) return undefined
      return new Response(null, {
        status: 204,
        headers: {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': METHODS,
          'access-control-allow-headers': request.headers.get('access-control-request-headers') ?? ALLOWED_HEADERS,
          'access-control-max-age': '600',
          vary: 'Origin',
        },
      })
    },
    decorate(request: Request, response: Response): Response {
      const origin = request.headers.get('origin')
      if (!allowed(origin)) return response
      response.headers.set('access-control-allow-origin', origin)
      response.headers.set('access-control-expose-headers', EXPOSED)
      response.headers.append('vary', 'Origin')
      return response
    },
  }
}
