import type { Server } from 'bun'
import type { ManualClock } from '../../src/cache'

export interface OriginRequest {
  method: string
  path: string
  headers: Headers
  body: string
}

export type OriginHandler = (request: OriginRequest) => Response | Promise<Response>

/**
 * A real upstream on loopback for proxy tests: records every request it gets and answers with the
 * handler the test sets. Its Date field follows the test's clock, so ages computed from it are exact.
 */
export function startOrigin(clock: ManualClock) {
  const requests: OriginRequest[] = []
  let handler: OriginHandler = () => new Response('default')
  const server: Server<undefined> = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const url = new URL(request.url)
      const seen = { method: request.method, path: url.pathname + url.search, headers: request.headers, body: await request.text() }
      requests.push(seen)
      const response = await handler(seen)
      if (!response.headers.has('date')) response.headers.set('date', new Date(clock.now()).toUTCString())
      return response
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    /** Requests the origin got for this path (with query), of any method or of the one given. */
    count: (path: string, method?: string) =>
      requests.filter((request) => request.path === path && (method === undefined || request.method === method)).length,
    answer(next: OriginHandler) {
      handler = next
    },
    stop: () => server.stop(true),
  }
}
