import { pathStart } from './url'

type Answer = Response | Promise<Response>

/**
 * A route answered before Elysia routes the request, for the hottest requests: Elysia's routing,
 * context and validation cost a large share of a cached read. It serves one route (the route of
 * `method` whose template is `prefix*`), calls the same service as that route, and returns undefined
 * for anything it does not handle itself (a query it does not expect, a malformed path), so that the
 * route answers, errors included. Access control has run before it, on that route's declared rule.
 */
export interface FastPath {
  /** GET, or PUT: once a PUT path has read the body it must answer, errors included (the route cannot read it again). */
  method: 'GET' | 'PUT'
  /** The route's template without its `*`: `/v1/kv/`. */
  prefix: string
  /** `rest` is the URL after the prefix, query string included. */
  answer(request: Request, rest: string): Answer | undefined
}

/** One dispatcher for every fast path: requests of its method whose path starts with its prefix. */
export function fastPaths(paths: readonly FastPath[]): (request: Request) => Answer | undefined {
  return (request) => {
    const method = request.method
    if (method !== 'GET' && method !== 'PUT') return undefined
    const url = request.url
    const start = pathStart(url)
    for (const path of paths)
      if (path.method === method && url.startsWith(path.prefix, start)) return path.answer(request, url.slice(start + path.prefix.length))
    return undefined
  }
}
