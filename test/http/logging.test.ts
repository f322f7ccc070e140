import { describe, expect, test } from 'bun:test'
import { createApp } from '../../src/app'
import { ManualClock } from '../../src/cache'
import type { Config } from '../../src/config/schema'
import { rateLimited } from '../../src/log/rate-limited'
import { createLogger, type LogLevel } from '../../src/log/logger'
import { baseConfig } from '../support/app'

/** An app whose log lines are collected, parsed. */
function loggedApp(overrides: Partial<Config>, level: LogLevel = 'info') {
  const lines: Record<string, unknown>[] = []
  const logger = createLogger(level, (line) => lines.push(JSON.parse(line)))
  const app = createApp({ ...baseConfig, ...overrides }, { clock: new ManualClock(), sweepIntervalMs: 0, logger })
  const call = (method: string, path: string, init: RequestInit = {}) =>
    app.handle(new Request(`http://localhost${path}`, { method, ...init }))
  // Access-log lines are written once the body size is known, a microtask or two after the answer.
  const settled = () => Bun.sleep(5)
  return { app, call, lines, logger, settled, requests: () => lines.filter((line) => line.message === 'request') }
}

describe('the access log', () => {
  test('is off by default', async () => {
    const { call, settled, requests } = loggedApp({})
    await call('PUT', '/v1/kv/a', { body: 'hello' })
    await settled()
    expect(requests()).toEqual([])
  })

  test('with --access-log: one line per request with method, route, status, bytes, duration, remote; no key below debug', async () => {
    const { call, settled, requests } = loggedApp({ accessLog: true })
    await call('PUT', '/v1/kv/secret-key', { body: 'hello' })
    await call('GET', '/v1/kv/secret-key')
    await call('GET', '/nowhere')
    await settled()
    const lines = requests()
    expect(lines.map((line) => [line.method, line.route, line.status])).toEqual([
      ['PUT', '/v1/kv/*', 201],
      ['GET', '/v1/kv/*', 200],
      ['GET', 'unmatched', 404],
    ])
    expect(lines[1]!.bytes).toBe(5)
    expect(lines[0]!.bytes).toBe(JSON.stringify({ key: 'secret-key', version: 1, expiresAt: null }).length)
    for (const line of lines) {
      expect(line.durationMs).toBeGreaterThanOrEqual(0)
      expect(line.remote).toBeNull() // app.handle has no socket; over one, the peer's address (test/e2e)
      expect(line.level).toBe('info')
      expect(JSON.stringify(line)).not.toContain('secret-key')
    }
  })

  test('at debug level every request is logged with its path (the key), even without --access-log', async () => {
    const { call, settled, requests } = loggedApp({}, 'debug')
    await call('GET', '/v1/kv/some-key')
    await settled()
    expect(requests()[0]).toMatchObject({ level: 'info', path: '/v1/kv/some-key', status: 404 })
  })

  test('turning it off (SIGHUP) stops it', async () => {
    const { app, call, settled, requests } = loggedApp({ accessLog: true })
    await call('GET', '/v1/kv/some-key')
    app.decorator.live.accessLog = false
    await call('GET', '/v1/kv/some-key')
    await settled()
    expect(requests().length).toBe(1)
  })
})

describe('refused requests', () => {
  const tokens = [{ scope: 'read' as const, secret: 'rrrrrrrrrrrrrrrrrrrr' }]

  test('401 and 403 are logged at info with why (never the token), at most 10 lines a second', async () => {
    const { call, lines } = loggedApp({ tokens })
    await call('GET', '/v1/kv/a')
    await call('GET', '/v1/kv/a', { headers: { authorization: 'Bearer wrong-token-guess-0001' } })
    await call('PUT', '/v1/kv/a', { body: '1', headers: { authorization: 'Bearer rrrrrrrrrrrrrrrrrrrr' } })
    const refused = lines.filter((line) => line.message === 'access refused')
    expect(refused.map((line) => [line.level, line.status, line.reason, line.method])).toEqual([
      ['info', 401, 'no token', 'GET'],
      ['info', 401, 'invalid token', 'GET'],
      ['info', 403, 'token 1 (read) lacks the write scope', 'PUT'],
    ])
    expect(JSON.stringify(lines)).not.toContain('wrong-token-guess-0001')
    expect(JSON.stringify(lines)).not.toContain('rrrrrrrrrrrrrrrrrrrr')
    for (let i = 0; i < 50; i++) await call('GET', '/v1/kv/a')
    expect(lines.filter((line) => line.message === 'access refused').length).toBeLessThanOrEqual(13)
  })

  test('the rate limit lets 10 a second through and reports what it held back', () => {
    let now = 0
    const emitted: number[] = []
    const limited = rateLimited(
      10,
      (suppressed) => emitted.push(suppressed),
      () => now,
    )
    for (let i = 0; i < 25; i++) limited()
    expect(emitted).toEqual(Array(10).fill(0))
    now = 1000
    limited()
    expect(emitted.at(-1)).toBe(15)
  })
})
