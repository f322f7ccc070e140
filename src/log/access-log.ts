import { splitUrl } from '../http/url'
import type { Logger } from './logger'

/** Where a request came from; undefined when unknown (app.handle in tests). */
export type RemoteAddress = (request: Request) => string | undefined

/**
 * The size of a response's body: its Content-Length when it has one; otherwise a body fastcache
 * made in memory is measured on a copy. A proxied body without a length is streaming from the
 * upstream: measuring it would hold it whole, so its size is not logged.
 */
async function bodyBytes(response: Response, route: string): Promise<number | null> {
  const declared = response.headers.get('content-length')
  if (declared !== null) return Number(declared)
  if (response.body === null) return 0
  if (route.startsWith('/proxy/')) return null
  return (await response.clone().arrayBuffer()).byteLength
}

/**
 * `--access-log`: one JSON line per request (method, route template, status, the Cache-Status of
 * proxied and soft-expired answers, bytes, duration, remote address). The path, which holds the
 * key, is logged only at debug level.
 */
export function accessLog(logger: Logger, remote: RemoteAddress, withPath: () => boolean) {
  return (request: Request, response: Response, route: string, seconds: number): void => {
    void bodyBytes(response, route).then((bytes) => {
      logger.info('request', {
        method: request.method,
        route,
        ...(withPath() ? { path: splitUrl(request.url)[0] } : {}),
        status: response.status,
        ...(response.headers.has('cache-status') ? { cacheStatus: response.headers.get('cache-status') } : {}),
        bytes,
        durationMs: Math.round(seconds * 1e6) / 1000,
        remote: remote(request) ?? null,
      })
    })
  }
}
