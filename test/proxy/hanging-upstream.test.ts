import { afterEach, describe, expect, test } from 'bun:test'
import { proxied, proxiedTo, stopOrigins } from '../support/proxied'

afterEach(stopOrigins)

// The upstream timeout is a real timer (fetch's AbortSignal): kept short, and the tests assert on
// what the origin saw and what each client got, not on durations.
const TIMEOUT_MS = 250

/** Resolves when the test ends; a handler awaiting it never answers while the test runs. */
function hangUntilReleased() {
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  return { released, release }
}

describe('coalescing on an upstream that hangs', () => {
  test('concurrent misses make one upstream request; its timeout answers every waiter (504, collapsed)', async () => {
    const hang = hangUntilReleased()
    const { app, origin } = proxied(
      async () => {
        await hang.released
        return new Response('too late')
      },
      { timeoutMs: TIMEOUT_MS },
    )
    try {
      const replies = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const response = await app.handle(new Request('http://localhost/proxy/api/hangs'))
          const body = (await response.json()) as { error: { code: string } }
          return { status: response.status, cacheStatus: response.headers.get('cache-status'), body }
        }),
      )
      expect(origin.count('/base/hangs')).toBe(1)
      expect(replies.map((reply) => reply.status)).toEqual([504, 504, 504, 504])
      expect(replies.every((reply) => reply.body.error.code === 'UPSTREAM_TIMEOUT')).toBe(true)
      expect(replies.filter((reply) => reply.cacheStatus === 'fastcache; fwd=uri-miss; detail=upstream-timeout')).toHaveLength(1)
      expect(replies.filter((reply) => reply.cacheStatus === 'fastcache; fwd=uri-miss; collapsed; detail=upstream-timeout')).toHaveLength(3)
    } finally {
      hang.release()
    }
  })

  test('a body that stalls past the timeout: the waiters get 504 instead of each trying again', async () => {
    const hang = hangUntilReleased()
    const { app, origin } = proxied(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            async start(controller) {
              controller.enqueue(new TextEncoder().encode('the first part'))
              await hang.released
              controller.close()
            },
          }),
          { headers: { 'cache-control': 'max-age=60' } },
        ),
      { timeoutMs: TIMEOUT_MS },
    )
    try {
      const read = async () => {
        const response = await app.handle(new Request('http://localhost/proxy/api/stalls'))
        const body = await response.text().catch(() => 'cut off')
        return { status: response.status, cacheStatus: response.headers.get('cache-status'), body }
      }
      const replies = await Promise.all([read(), read(), read(), read()])
      expect(origin.count('/base/stalls')).toBe(1)
      // The first client already had its headers: its body is cut off. The others never got a response to share.
      const leader = replies.find((reply) => reply.status === 200)!
      expect(leader.body).toBe('cut off')
      const waiters = replies.filter((reply) => reply !== leader)
      expect(waiters.map((reply) => reply.status)).toEqual([504, 504, 504])
      expect(waiters.every((reply) => reply.cacheStatus === 'fastcache; fwd=uri-miss; collapsed; detail=upstream-timeout')).toBe(true)
    } finally {
      hang.release()
    }
  })

  test('waiters with a stale copy that allows it are answered with it when the shared request fails', async () => {
    let hangs = false
    const hang = hangUntilReleased()
    const { call, clock, origin } = proxied(
      async () => {
        if (hangs) await hang.released
        return new Response('good', { headers: { 'cache-control': 'max-age=10, stale-if-error=600', etag: '"a"' } })
      },
      { timeoutMs: TIMEOUT_MS },
    )
    try {
      await call('GET', '/proxy/api/sie')
      clock.advance(20_000)
      hangs = true
      const replies = await Promise.all([call('GET', '/proxy/api/sie'), call('GET', '/proxy/api/sie'), call('GET', '/proxy/api/sie')])
      expect(origin.count('/base/sie')).toBe(2)
      expect(replies.map((reply) => reply.text)).toEqual(['good', 'good', 'good'])
      expect(replies.every((reply) => reply.headers.get('cache-status')!.endsWith('detail=stale-if-error'))).toBe(true)
    } finally {
      hang.release()
    }
  })

  test('a body of known length that stalls: every client gets 504, none a cut-off body, and a stale copy stands in where allowed', async () => {
    let stored = false
    const listener = Bun.listen({
      hostname: '127.0.0.1',
      port: 0,
      socket: {
        data(socket) {
          if (!stored) {
            stored = true
            socket.end(
              'HTTP/1.1 200 OK\r\nCache-Control: max-age=10, stale-if-error=600\r\nContent-Length: 4\r\nConnection: close\r\n\r\ngood',
            )
          } else socket.write('HTTP/1.1 200 OK\r\nCache-Control: max-age=10\r\nContent-Length: 1000\r\n\r\nhalf')
        },
      },
    })
    try {
      const { call, clock } = proxiedTo(`http://127.0.0.1:${listener.port}`, { timeoutMs: TIMEOUT_MS })
      // The upstream's first answer is whole, every later one stalls after four bytes.
      const whole = await Promise.all([call('GET', '/proxy/api/fresh'), call('GET', '/proxy/api/fresh')])
      expect(whole.map((reply) => reply.text)).toEqual(['good', 'good'])
      const cut = await Promise.all([call('GET', '/proxy/api/other'), call('GET', '/proxy/api/other')])
      expect(cut.map((reply) => reply.status)).toEqual([504, 504])
      clock.advance(20_000)
      const standIn = await call('GET', '/proxy/api/fresh')
      expect(standIn.text).toBe('good')
      expect(standIn.headers.get('cache-status')).toEndWith('detail=stale-if-error')
    } finally {
      listener.stop(true)
    }
  })
})
