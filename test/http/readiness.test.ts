import { describe, expect, test } from 'bun:test'
import { createApp } from '../../src/app'
import { ManualClock } from '../../src/cache'
import { Readiness } from '../../src/readiness'
import { baseConfig } from '../support/app'
import { checkedHandle } from '../support/reply-check'

describe('readiness beside liveness', () => {
  test('while the data loads: /health is 200, /health/ready 503 naming what it waits for, every other route 503 STARTING', async () => {
    const readiness = new Readiness(['data', 'redis'])
    const app = createApp(baseConfig, { clock: new ManualClock(), sweepIntervalMs: 0, readiness })
    const handle = checkedHandle(app)
    const call = (method: string, path: string) =>
      handle(new Request(`http://localhost${path}`, { method, body: method === 'PUT' ? 'v' : undefined }))
    expect((await call('GET', '/health')).status).toBe(200)
    const waiting = await call('GET', '/health/ready')
    expect([waiting.status, await waiting.json()]).toEqual([503, { status: 'starting', waitingFor: ['data', 'redis'] }])
    for (const [method, path] of [
      ['GET', '/v1/kv/a'],
      ['PUT', '/v1/kv/a'],
      ['GET', '/proxy/x/y'],
      ['GET', '/v1/stats'],
    ]) {
      const refused = await call(method!, path!)
      expect([
        method,
        path,
        refused.status,
        refused.headers.get('retry-after'),
        ((await refused.json()) as { error: { code: string } }).error.code,
      ]).toEqual([method, path, 503, '1', 'STARTING'])
    }
    // Loaded, Redis not reached yet: requests are served (degraded), but the instance is not ready.
    readiness.done('data')
    expect((await call('PUT', '/v1/kv/a')).status).toBe(201)
    expect((await call('GET', '/health/ready')).status).toBe(503)
    readiness.done('redis')
    const ready = await call('GET', '/health/ready')
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }])
  })

  test('without a data directory or a shared tier, ready from the start; /health/ready needs no token', async () => {
    const app = createApp({ ...baseConfig, tokens: [{ scope: 'admin', secret: 'aaaaaaaaaaaaaaaaaaaa' }] }, { sweepIntervalMs: 0 })
    expect((await app.handle(new Request('http://localhost/health/ready'))).status).toBe(200)
    expect((await app.handle(new Request('http://localhost/v1/stats'))).status).toBe(401)
  })
})
