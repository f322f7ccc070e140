import { pathStart } from './url'

type Answer = Response | Promise<Response>

/**
 * A route answered before Elysia routes the request, for the hottest requests: Elysia's routing,
 * context and validation cost a large share of a cached read. It serves one route (the GET route
 * whose template is `prefix*`), calls the same service as that route, and returns undefined for
 * anything it does not handle itself (a query it does not expect, a malformed path), so that the
 * route answers, errors included. Access control has run before it, on that route's declared rule.
 */
export interface FastPath {
  /** The route's template without its `*`: `/v1/kv/`. */
  prefix: string
  /** It answers HEAD as well as GET (otherwise Elysia does, through the GET route). */
  head?: boolean
  /** `rest` is the URL after the prefix, query string included. */
  answer(request: Request, rest: string): Answer | undefined
}

/** One dispatcher for every fast path: GET (and for some HEAD) requests whose path starts with a fast path's prefix. */
export function fastPaths(paths: readonly FastPath[]): (request: Request) => Answer | undefined {
  return (request) => {
    const method = request.method
    const head = method === 'HEAD'
    if (method !== 'GET' && !head) return undefined
    const url = request.url
    const start = pathStart(url)
    for (const path of paths) {
      if (!url.startsWith(path.prefix, start)) continue
      return head && !path.head ? undefined : path.answer(request, url.slice(start + path.prefix.length))
    }
    return undefined
  }
}

/** Methods a fast path may answer (HEAD when it says so), and the catch-all a route may register. */
const READ_METHODS = new Set(['GET', 'HEAD', 'ALL'])

/**
 * Refuses to start when a fast path would take requests that belong to another route: its GET route
 * `prefix*` must exist, and no other GET route may live under its prefix (a later `/v1/kv/special`
 * would otherwise be answered by the fast path, under the wrong rule).
 */
export function checkFastPaths(paths: readonly Pick<FastPath, 'prefix'>[], routes: readonly { method: string; path: string }[]): void {
  for (const { prefix } of paths) {
    const under = routes.filter((route) => READ_METHODS.has(route.method) && route.path.startsWith(prefix))
    if (!under.some((route) => route.path === `${prefix}*`)) throw new Error(`no route ${prefix}* for a fast path`)
    const others = under.filter((route) => route.path !== `${prefix}*`)
    if (others.length > 0)
      throw new Error(`the fast path for ${prefix}* would answer ${others.map((route) => `${route.method} ${route.path}`).join(', ')}`)
  }
}
