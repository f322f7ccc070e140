import { responseForError } from '../../http/error-handler'
import type { FastPath } from '../../http/fast-path'
import type { Logger } from '../../log/logger'
import type { ProxyService } from './service'
import { PROXY_PATH } from './target'

/**
 * `GET` and `HEAD /proxy/...` answered before Elysia routes them: the same `ProxyService.read` the
 * route calls, minus Elysia's per-request context (a fifth of a cached hit's time in a profile).
 * HEAD comes here too because Elysia answers it by running the GET route and counting its body,
 * which would turn a HEAD passed upstream (no body) into Content-Length: 0. Errors get the same
 * shape as through the route. Other methods go on to Elysia.
 */
export function proxyFastRead(proxy: ProxyService, logger: Logger): FastPath {
  const fail = (error: unknown) => responseForError(error, logger)
  return {
    method: 'GET',
    prefix: PROXY_PATH,
    head: true,
    answer(request) {
      try {
        const result = proxy.read(request)
        // A hit is answered at once, with nothing allocated for a promise that is not there.
        if (!(result instanceof Promise)) return proxy.revealKey(request, result)
        return result.then((response) => proxy.revealKey(request, response), fail)
      } catch (error) {
        return fail(error)
      }
    },
  }
}
