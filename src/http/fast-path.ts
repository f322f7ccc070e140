import { pathStart } from './url'

type Answer = Response | Promise<Response>

/**
 * A route answered before Elysia routes the request, for the hottest requests: Elysia's routing,
 * context and validation cost a large share of a cached read. It serves one route (the route of
 * `method` whose template is `prefix*`), calls the same service as that route, and returns undefined
 * for anything it does not handle itself (a query it does not expect, a malformed path), so that the
 * route answers, errors included. Access control has run before it, on that route's declared rule.
 */
interface FastPathBase {
  /** The route's template without its `*`: `/v1/kv/`. */
  prefix: string
  /** `rest` is the URL after the prefix, query string included. */
  answer(request: Request, rest: string): Answer | undefined
}

/**
 * A GET path may answer HEAD as well (otherwise Elysia does, through the GET route). A PUT path,
 * once it has read the body, must answer, errors included (the route cannot read it again).
 */
export type FastPath = (FastPathBase & { method: 'GET'; head?: boolean }) | (FastPathBase & { method: 'PUT'; head?: never })

/** One dispatcher for every fast path: requests of its method (or HEAD, when it says so) whose path starts with its prefix. */
export function fastPaths(paths: readonly FastPath[]): (request: Request) => Answer | undefined {
  return (request) => {
    const method = request.method
    const head = method === 'HEAD'
    if (method !== 'GET' && method !== 'PUT' && !head) return undefined
    const url = request.url
    const start = pathStart(url)
    for (const path of paths) {
      if (!url.startsWith(path.prefix, start)) continue
      if (path.method === method || (head && path.head)) return path.answer(request, url.slice(start + path.prefix.length))
    }
    return undefined
  }
}

/**
 * Refuses to start when a fast path would take requests that belong to another route: the route of
 * its method with template `prefix*` must exist, and no other route of a method it answers may live
 * under its prefix (a later GET `/v1/kv/special` would otherwise be answered by the fast path, under
 * the wrong rule).
 */
export function checkFastPaths(
  paths: readonly Pick<FastPath, 'method' | 'prefix' | 'head'>[],
  routes: readonly { method: string; path: string }[],
): void {
  for (const { method, prefix, head } of paths) {
    const answered = new Set([method, 'ALL', ...(head ? ['HEAD'] : [])])
    const under = routes.filter((route) => answered.has(route.method) && route.path.startsWith(prefix))
    if (!under.some((route) => route.method === method && route.path === `${prefix}*`))
      throw new Error(`no route ${method} ${prefix}* for a fast path`)
    const others = under.filter((route) => route.path !== `${prefix}*`)
    if (others.length > 0)
      throw new Error(
        `the fast path for ${method} ${prefix}* would answer ${others.map((route) => `${route.method} ${route.path}`).join(', ')}`,
      )
  }
}
