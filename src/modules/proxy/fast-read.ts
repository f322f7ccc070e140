import { responseForError } from '../../http/error-handler'
import { pathStart } from '../../http/url'
import type { Logger } from '../../log/logger'
import type { ProxyService } from './service'
import { PROXY_PATH } from './target'

/**
 * `GET /proxy/...` answered before Elysia routes it: the same `ProxyService.read` the route calls,
 * minus Elysia's per-request context (a fifth of a cached hit's time in a profile). Errors get the
 * same shape as through the route. HEAD and other methods go on to Elysia.
 */
export function proxyFastRead(proxy: ProxyService, logger: Logger) {
  const fail = (error: unknown) => responseForError(error, logger)
  return (request: Request): Response | Promise<Response> | undefined => {
    if (request.method !== 'GET') return undefined
    const url = request.url
    if (!url.startsWith(PROXY_PATH, pathStart(url))) return undefined
    const reveal = (response: Response) => proxy.revealKey(request, response)
    try {
      const result = proxy.read(request)
      return result instanceof Promise ? result.then(reveal, fail) : reveal(result)
    } catch (error) {
      return fail(error)
    }
  }
}
