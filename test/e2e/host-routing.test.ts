import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { binaryHarness } from '../support/binary'
import { rawRequest } from '../support/raw-http'

// The binary over raw sockets: whatever the Host field, a request is routed on the path access control checked.
const { start, stop } = binaryHarness()
const fixtures = join(import.meta.dir, '../fixtures/tls')
const READ = 'e2e-read-token-000000001'
const WRITE = 'e2e-write-token-00000001'
const ADMIN = 'e2e-admin-token-00000001'

const request = (method: string, path: string, hostLine: string, token?: string, body = '') =>
  `${method} ${path} HTTP/1.1\r\n${hostLine}${token === undefined ? '' : `Authorization: Bearer ${token}\r\n`}Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`

describe('the binary routes on the path access control checked, whatever the Host', () => {
  for (const tls of [false, true]) {
    test(`${tls ? 'https' : 'http'}: short Hosts neither widen a token's scope nor open routes, and still route ordinary requests`, async () => {
      const tlsArgs = tls ? ['--tls-cert', join(fixtures, 'cert.pem'), '--tls-key', join(fixtures, 'key.pem')] : []
      const server = await start([
        '--token',
        `read:${READ}`,
        '--token',
        `write:${WRITE}`,
        '--token',
        `admin:${ADMIN}`,
        '--public-metrics',
        ...tlsArgs,
      ])
      const send = (bytes: string) => rawRequest(server.port, bytes, { tls })
      expect((await send(request('PUT', '/v1/kv/keep', 'Host: localhost\r\n', WRITE, 'v'))).status).toBe(201)
      const hosts = ['Host: \r\n', 'Host: x\r\n', 'Host: kv\r\n', 'Host: api\r\n', 'Host: host\r\n', 'Host: a:1\r\n', 'Host: ab:1\r\n']
      for (const host of hosts) {
        // A read token cannot flush, write, purge or read stats; no token cannot write through the open /openapi prefix.
        for (const path of ['/ab/v1/keys?all=true', '/v1/keys?all=true'])
          expect((await send(request('DELETE', path, host, READ))).status).not.toBe(200)
        for (const path of ['/ab/v1/kv/evil', '/v1/kv/evil'])
          expect((await send(request('PUT', path, host, READ, 'x'))).status).not.toBe(201)
        expect((await send(request('DELETE', '/ab/v1/proxy/cache', host, READ, '{"prefix":"/"}'))).status).not.toBe(200)
        expect((await send(request('GET', '/ab/v1/stats', host, READ))).status).not.toBe(200)
        expect((await send(request('PUT', '/openapi/v1/kv/evil', host))).status).not.toBe(201)
        expect((await send(request('DELETE', '/openapi/v1/keys?all=true', host))).status).not.toBe(200)
        // The ordinary requests work with the same short Host.
        expect((await send(request('PUT', '/v1/kv/short', host, WRITE, 'ok'))).status).toBeOneOf([200, 201])
        expect((await send(request('GET', '/v1/kv/short', host, READ))).body).toBe('ok')
      }
      // A key sent as raw UTF-8 bytes is one key for every method, whatever the Host.
      const utf8 = (method: string, host: string, body = '') =>
        rawRequest(server.port, Buffer.from(request(method, '/v1/kv/caf\u00e9-\u00fcber', host, ADMIN, body), 'utf8'), { tls })
      for (const host of ['Host: localhost\r\n', 'Host: x\r\n']) {
        expect((await utf8('PUT', host, 'u')).status).toBeOneOf([200, 201])
        expect((await utf8('GET', host)).body).toBe('u')
        expect((await utf8('DELETE', host)).status).toBe(204)
        expect((await utf8('GET', host)).status).toBe(404)
      }
      // Nothing was flushed or written by the refused requests.
      const listing = await send(request('GET', '/v1/keys', 'Host: localhost\r\n', ADMIN))
      expect(JSON.parse(listing.body).keys.sort()).toEqual(['keep', 'short'])
      // HTTP/1.0 without a Host field (health checks send that) is routed too.
      const health = await send('GET /health HTTP/1.0\r\n\r\n')
      expect([health.status, health.body]).toEqual([200, '{"status":"ok"}'])
      expect(await stop(server)).toBe(0)
    })
  }

  test('a request rebuilt for a short Host keeps its peer: the access log and the refusal line name 127.0.0.1', async () => {
    const server = await start(['--token', `write:${WRITE}`, '--access-log'])
    const send = (bytes: string) => rawRequest(server.port, bytes)
    const logged = server.nextLine((line) => line.message === 'request' && line.status === 201)
    expect((await send(request('PUT', '/v1/kv/k', 'Host: x\r\n', WRITE, 'v'))).status).toBe(201)
    expect((await logged).remote).toBe('127.0.0.1')
    const refused = server.nextLine((line) => typeof line.message === 'string' && line.message.includes('refused'))
    expect((await send(request('GET', '/v1/kv/k', 'Host: kv\r\n', 'wrong-token-00000000000'))).status).toBe(401)
    expect((await refused).remote).toBe('127.0.0.1')
    expect(await stop(server)).toBe(0)
  })
})
