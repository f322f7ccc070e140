import { afterAll, describe, expect, test } from 'bun:test'
import { checkedHandle } from '../support/reply-check'
import { testApp } from '../support/app'
import { upstreamAt } from '../support/proxied'
import { Rng } from '../../bench/hitratio/prng'

// Seeded so a failure replays exactly: change SEED to explore, keep it fixed in the suite.
const SEED = 0x5eed2026
const REQUESTS = 4000

const KEYS = [
  'a',
  'users/1',
  '',
  '%',
  '%zz',
  '%E2%82',
  '%00',
  'a%0Ab',
  '%7F',
  '%C3%A9t%C3%A9',
  'x'.repeat(600),
  '%2F%2F',
  '..',
  'a?b',
  '%F0%9F%98%80',
  ' ',
  '\u0001',
]
const QUERIES = [
  '',
  '?ttl=5',
  '?ttl=-1',
  '?ttl=1.5s',
  '?ttl=%FF',
  '?nx',
  '?xx',
  '?nx&xx',
  '?meta',
  '?meta=maybe',
  '?lease=5s',
  '?lease=0',
  '?lease=1h',
  '?wait=1s',
  '?lease=5s&wait=x',
  '?stale=5s',
  '?ttl=5&stale=x',
  '?keepttl',
  '?prefix=',
  '?prefix=%01',
  '?all=true',
  '?limit=0',
  '?limit=99999',
  '?cursor=-1',
  '?cursor=abc',
  '?x=1',
  '?%',
  '?ttl',
  `?lease=${'a'.repeat(300)}`,
]
const TYPES = [
  'application/json',
  'text/plain',
  'application/octet-stream',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/problem+json',
  '',
  'application/json; charset=utf-16',
  '\u0000',
]
const BODIES = [
  '',
  '{',
  '}',
  '[]',
  'null',
  '0',
  '"x"',
  '{"ops":[]}',
  '{"ops":[null]}',
  '{"ops":[{"op":"set","key":"k","value":1e999}]}',
  '{"ops":[{"op":"get"}]}',
  '{"ops":[{"op":"nope","key":"k"}]}',
  '{"by":"x"}',
  '{"by":1e300}',
  '{"by":-9007199254740993}',
  '{"ttl":[]}',
  '{"ttl":null}',
  '{"ttl":"forever"}',
  '{"url":1}',
  '{"prefix":""}',
  '{"tag":"t","url":"/x"}',
  '\u0000\u0001',
  '\ud800',
  `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`,
  'x'.repeat(70 * 1024),
]
const ROUTES: [string, string][] = [
  ['GET', '/v1/kv/'],
  ['HEAD', '/v1/kv/'],
  ['PUT', '/v1/kv/'],
  ['DELETE', '/v1/kv/'],
  ['PATCH', '/v1/kv/'],
  ['POST', '/v1/incr/'],
  ['GET', '/v1/incr/'],
  ['POST', '/v1/touch/'],
  ['POST', '/v1/batch'],
  ['GET', '/v1/batch'],
  ['GET', '/v1/keys'],
  ['DELETE', '/v1/keys'],
  ['PUT', '/v1/keys'],
  ['GET', '/v1/stats'],
  ['GET', '/metrics'],
  ['GET', '/health'],
  ['GET', '/proxy/'],
  ['POST', '/proxy/'],
  ['DELETE', '/v1/proxy/cache'],
  ['POST', '/v1/admin/snapshot'],
  ['GET', '/nope/'],
  ['OPTIONS', '/v1/kv/'],
]
const WRITE_SECRET = 'bad-input-write-token'
const HEADERS = ['if-match', 'if-none-match', 'authorization', 'cache-control', 'range', 'origin']
const HEADER_VALUES = ['*', '"1"', 'W/"1"', '"', 'Bearer', 'no-cache', 'max-age=-1', 'bytes=0-1', 'x'.repeat(1000), '\t']

/** One request: a template from the route table, filled with random or hostile parts, sometimes mutated byte by byte. */
function randomRequest(g: Rng): { method: string; url: string; headers: Record<string, string>; body?: string } {
  const [method, base] = g.pick(ROUTES)
  const needsKey = base.endsWith('/')
  let path = base + (needsKey ? (base === '/proxy/' ? g.pick(['none/', 'api/', '']) : '') + g.pick(KEYS) : '')
  let query = g.pick(QUERIES)
  let body = method === 'GET' || method === 'HEAD' ? undefined : g.pick(BODIES)
  if (g.float() < 0.3) {
    // Mutations: flip, drop or insert characters in the path, query or body.
    const mutate = (text: string) => {
      if (text.length === 0) return text
      const at = g.int(text.length)
      const choice = g.int(3)
      if (choice === 0) return text.slice(0, at) + String.fromCharCode(g.int(128)) + text.slice(at + 1)
      if (choice === 1) return text.slice(0, at) + text.slice(at + 1)
      return text.slice(0, at) + g.pick(['%', '?', '#', '/', '"', '{', '\\']) + text.slice(at)
    }
    path = `/${mutate(path.slice(1))}`
    query = mutate(query)
    if (body !== undefined) body = mutate(body)
  }
  // Mostly with the write token: flush (admin) is then refused, so the sentinel can only be lost to a bug.
  const headers: Record<string, string> = g.float() < 0.85 ? { authorization: `Bearer ${WRITE_SECRET}` } : {}
  const type = g.pick(TYPES)
  if (type !== '' && body !== undefined) headers['content-type'] = type
  if (g.float() < 0.3) headers[g.pick(HEADERS)] = g.pick(HEADER_VALUES)
  return { method, url: `http://localhost${path}${query}`, headers, body }
}

describe('bad input, seeded', () => {
  const upstreams = [upstreamAt('http://127.0.0.1:9', { timeoutMs: 200, maxBodyBytes: 1024 })]
  const { app, call } = testApp({ tokens: [{ scope: 'write', secret: WRITE_SECRET }], upstreams })
  // Every answer, refusals included, is one the OpenAPI document declares for its route (the proxy's are the upstream's).
  const handle = checkedHandle(app)
  afterAll(() => app.decorator.engine.close())

  test(`${REQUESTS} random and mutated requests: no 5xx other than an unreachable upstream, every error in our shape, the data intact`, async () => {
    const sentinel = JSON.stringify({ keep: 'me', n: [1, 2, 3] })
    const auth = { authorization: `Bearer ${WRITE_SECRET}` }
    expect((await call('PUT', '/v1/kv/sentinel', { json: JSON.parse(sentinel), headers: auth })).status).toBe(201)
    const g = new Rng(SEED)
    const statuses = new Map<number, number>()
    for (let i = 0; i < REQUESTS; i++) {
      const { method, url, headers, body } = randomRequest(g)
      let request: Request
      try {
        request = new Request(url, { method, headers, body })
      } catch {
        continue // not even a request a client could send (fetch refuses it too)
      }
      const response = await handle(request)
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
      const text = await response.text()
      const where = `#${i} ${method} ${url} ${JSON.stringify(headers)} ${JSON.stringify(body?.slice(0, 80))} -> ${response.status} ${text.slice(0, 200)}`
      // The proxy's upstream here is a closed port: 502 UPSTREAM_UNAVAILABLE is the right answer there
      // (504 UPSTREAM_TIMEOUT when a loaded machine takes longer than the 200 ms timeout to refuse).
      const upstreamDown = (response.status === 502 || response.status === 504) && url.includes('/proxy/')
      if (response.status >= 500 && !upstreamDown) throw new Error(`server error: ${where}`)
      if (response.status >= 400 && method !== 'HEAD') {
        let parsed: { error?: { code?: unknown; message?: unknown } }
        try {
          parsed = JSON.parse(text)
        } catch {
          throw new Error(`not our error shape: ${where}`)
        }
        if (typeof parsed.error?.code !== 'string' || typeof parsed.error?.message !== 'string')
          throw new Error(`not our error shape: ${where}`)
      }
    }
    if (process.env.SHOW_STATUSES) console.log([...statuses].sort((a, b) => a[0] - b[0]))
    // The run reached every kind of answer, not just one early refusal.
    expect([...statuses.keys()].filter((status) => status >= 400).length).toBeGreaterThan(6)
    const after = await call('GET', '/v1/kv/sentinel', { headers: auth })
    expect(after.status).toBe(200)
    expect(after.text).toBe(sentinel)
  }, 60_000)
})
