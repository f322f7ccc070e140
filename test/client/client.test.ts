import { afterEach, describe, expect, test } from 'bun:test'
import { FastcacheClient, FastcacheError } from '../../client/src/index'
import { testApp } from '../support/app'
import { replyChecker } from '../support/reply-check'

/** A client over an in-process app (its clock is the test's), each reply checked like testApp's. */
function clientOver(app: ReturnType<typeof testApp>['app']) {
  const check = replyChecker(app.routes)
  return new FastcacheClient({
    baseUrl: 'http://localhost',
    fetch: async (request) => {
      const response = await app.handle(request)
      check(request.method, request.url, { status: response.status, headers: response.headers, text: await response.clone().text() })
      return response
    },
  })
}

const servers: ReturnType<typeof Bun.serve>[] = []
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true)
})

/** A server on loopback that answers as `answer` says, counting requests by method. */
function stub(answer: (request: Request, attempt: number) => Response | Promise<Response>) {
  const seen: string[] = []
  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (request) => answer(request, seen.push(request.method)) })
  servers.push(server)
  return { url: `http://127.0.0.1:${server.port}`, seen }
}

const unavailable = () =>
  Response.json(
    { error: { code: 'REDIS_UNAVAILABLE', message: 'the shared tier is unavailable' } },
    { status: 503, headers: { 'retry-after': '0' } },
  )

describe('the client: soft expiry through cache-aside (on the engine clock)', () => {
  test('a stale value is returned at once, and refreshed once in the background by the caller given the lease', async () => {
    const { app, clock } = testApp()
    const cache = clientOver(app)
    let computed = 0
    let refreshed: () => void = () => {}
    const refresh = new Promise<void>((resolve) => (refreshed = resolve))
    const compute = async () => {
      computed++
      if (computed === 2) queueMicrotask(refreshed)
      return { report: computed }
    }
    const options = { ttl: 60, stale: 30 }
    expect(await cache.cached('report', compute, options)).toEqual({ report: 1 })
    clock.advance(61_000)
    // Two callers in the stale window: both get the stale value, one refresh is made.
    const stale = await Promise.all([cache.cached('report', compute, options), cache.cached('report', compute, options)])
    expect(stale).toEqual([{ report: 1 }, { report: 1 }])
    await refresh
    // The refresh is stored in the background: give it its turns (bounded), then the value is fresh.
    for (let turn = 0; turn < 50 && (await cache.get('report'))?.stale; turn++) await Bun.sleep(1)
    expect(computed).toBe(2)
    expect(await cache.cached('report', compute, options)).toEqual({ report: 2 })
    // Past the stale window the value is gone: computed again.
    clock.advance(91_000)
    expect(await cache.cached('report', compute, options)).toEqual({ report: 3 })
  })

  test('when the cache cannot be reached, the value is computed and the failure reported', async () => {
    const { url } = stub(() => new Response(null, { status: 500 }))
    const errors: unknown[] = []
    const cache = new FastcacheClient({ baseUrl: url })
    expect(await cache.cached('k', async () => 'computed', { onError: (error) => errors.push(error) })).toBe('computed')
    expect(errors).toHaveLength(1)
  })
})

describe('the client: timeouts and retries', () => {
  test('an attempt without an answer is abandoned after timeoutMs; a read is tried again, then fails with TIMEOUT', async () => {
    const { url, seen } = stub(() => new Promise<Response>(() => {}))
    const cache = new FastcacheClient({ baseUrl: url, timeoutMs: 100, retries: 1, retryDelayMs: 1 })
    const error = await cache.get('k').catch((error: unknown) => error)
    expect(error).toBeInstanceOf(FastcacheError)
    expect((error as FastcacheError).code).toBe('TIMEOUT')
    expect(seen).toEqual(['GET', 'GET'])
  })

  test('idempotent calls are retried through 502/503/504; counters, conditional writes and batches are not', async () => {
    const { url, seen } = stub((_request, attempt) =>
      attempt <= 2 ? unavailable() : new Response('ok', { headers: { etag: '"3"', 'content-type': 'text/plain' } }),
    )
    const cache = new FastcacheClient({ baseUrl: url, retryDelayMs: 1 })
    expect(await cache.getText('k')).toBe('ok')
    expect(seen).toEqual(['GET', 'GET', 'GET'])

    const failing = stub(unavailable)
    const client = new FastcacheClient({ baseUrl: failing.url, retryDelayMs: 1 })
    const codes = await Promise.all([
      client.incr('n').catch((error: FastcacheError) => error.code),
      client.put('k', 'v', { ifVersion: 3 }).catch((error: FastcacheError) => error.code),
      client.batch([{ op: 'get', key: 'k' }]).catch((error: FastcacheError) => error.code),
    ])
    expect(codes).toEqual(['REDIS_UNAVAILABLE', 'REDIS_UNAVAILABLE', 'REDIS_UNAVAILABLE'])
    expect(failing.seen.sort()).toEqual(['POST', 'POST', 'PUT'])
    // A plain PUT may be repeated: two retries by default.
    const error = (await client.put('k', 'v').catch((error: unknown) => error)) as FastcacheError
    expect([error.status, error.retryAfterMs]).toEqual([503, 0])
    expect(failing.seen.filter((method) => method === 'PUT')).toHaveLength(4)
  })

  test('the token goes in the Authorization header, nowhere else', async () => {
    const { url } = stub((request) => Response.json({ authorization: request.headers.get('authorization'), url: request.url }))
    const cache = new FastcacheClient({ baseUrl: `${url}/`, token: 'write:secret-secret-0001' })
    const reply = (await cache.health()) as unknown as { authorization: string; url: string }
    expect(reply).toEqual({ authorization: 'Bearer write:secret-secret-0001', url: `${url}/health` })
  })
})
