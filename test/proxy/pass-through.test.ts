import { afterEach, describe, expect, test } from 'bun:test'
import { listen } from '../../src/server'
import { baseConfig } from '../support/app'
import { proxied, stopOrigins } from '../support/proxied'
import { rawRequest } from '../support/raw-http'

// What goes over the wire: framing (Content-Length or chunked) is only seen on a real socket.
const servers: { stop(force: boolean): void }[] = []
afterEach(() => {
  stopOrigins()
  while (servers.length > 0) servers.pop()!.stop(true)
})

/** The proxy listening on a loopback port, over an origin answering with `handler`. */
function serving(...args: Parameters<typeof proxied>) {
  const { app, origin } = proxied(...args)
  const server = listen(app, { ...baseConfig, port: 0 })
  servers.push(server)
  const request = (method: string, path: string, headers: Record<string, string> = {}) =>
    rawRequest(
      server.port!,
      `${method} ${path} HTTP/1.1\r\nHost: x\r\n${Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('')}Connection: close\r\n\r\n`,
    )
  return { request, origin }
}

const LONG = 'x'.repeat(50_000)

describe('answers that pass through keep their Content-Length', () => {
  test('a bypassed GET (a request with a cookie) comes with the upstream’s Content-Length, not chunked', async () => {
    const { request } = serving(() => new Response(LONG, { headers: { 'cache-control': 'max-age=60' } }))
    const reply = await request('GET', '/proxy/api/p', { cookie: 'a=1' })
    expect(reply.headers.get('cache-status')).toBe('fastcache; fwd=bypass')
    expect(reply.headers.get('content-length')).toBe('50000')
    expect(reply.headers.get('transfer-encoding')).toBeUndefined()
    expect(reply.body).toBe(LONG)
  })

  test('an unstorable answer and a miss that is stored come with it too', async () => {
    const { request } = serving(
      ({ path }) => new Response(LONG, { headers: { 'cache-control': path.endsWith('private') ? 'private' : 'max-age=60' } }),
    )
    for (const path of ['/proxy/api/private', '/proxy/api/public']) {
      const reply = await request('GET', path)
      expect([path, reply.headers.get('content-length'), reply.headers.get('transfer-encoding'), reply.body.length]).toEqual([
        path,
        '50000',
        undefined,
        50_000,
      ])
    }
  })

  test('a body past the upstream’s maxBodySize is streamed (chunked) and not stored', async () => {
    const { request } = serving(() => new Response(LONG, { headers: { 'cache-control': 'max-age=60' } }), { maxBodyBytes: 10_000 })
    const reply = await request('GET', '/proxy/api/big')
    expect(reply.headers.get('transfer-encoding')).toBe('chunked')
    expect(reply.headers.get('cache-status')).toBe('fastcache; fwd=uri-miss')
  })
})

describe('HEAD', () => {
  test('a bypassed HEAD goes upstream as HEAD, and its Content-Length comes back', async () => {
    const { request, origin } = serving(() => new Response(LONG, { headers: { 'cache-control': 'max-age=60' } }))
    const reply = await request('HEAD', '/proxy/api/h', { cookie: 'a=1' })
    expect(origin.requests.map((seen) => seen.method)).toEqual(['HEAD'])
    expect(reply.status).toBe(200)
    expect(reply.headers.get('content-length')).toBe('50000')
    expect(reply.body).toBe('')
  })

  test('a HEAD miss is filled with a GET and answered with the length, no body; the next HEAD is a hit', async () => {
    const { request, origin } = serving(() => new Response(LONG, { headers: { 'cache-control': 'max-age=60' } }))
    const miss = await request('HEAD', '/proxy/api/h')
    expect([miss.headers.get('content-length'), miss.body, miss.headers.get('cache-status')]).toEqual([
      '50000',
      '',
      'fastcache; fwd=uri-miss; stored',
    ])
    const hit = await request('HEAD', '/proxy/api/h')
    expect([hit.headers.get('content-length'), hit.body, hit.headers.get('cache-status')]).toEqual(['50000', '', 'fastcache; hit; ttl=60'])
    expect(origin.requests.map((seen) => seen.method)).toEqual(['GET'])
  })
})
