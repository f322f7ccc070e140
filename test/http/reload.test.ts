import { describe, expect, test } from 'bun:test'
import { createApp } from '../../src/app'
import { ManualClock } from '../../src/cache'
import type { Config } from '../../src/config/schema'
import { createLogger } from '../../src/log/logger'
import { applyReload } from '../../src/reload'
import { baseConfig } from '../support/app'

describe('a reload (SIGHUP) applies tokens, log level and access log at once, and names what needs a restart', () => {
  test('a new token works and a removed one stops working; the log says what changed, never a secret', async () => {
    const lines: Record<string, unknown>[] = []
    const logger = createLogger('info', (line) => lines.push(JSON.parse(line)))
    const running: Config = { ...baseConfig, tokens: [{ scope: 'admin', secret: 'old-secret-0000000000' }] }
    const app = createApp(running, { clock: new ManualClock(), sweepIntervalMs: 0, logger })
    const get = (secret: string) => app.handle(new Request('http://localhost/v1/stats', { headers: { authorization: `Bearer ${secret}` } }))
    expect((await get('old-secret-0000000000')).status).toBe(200)

    const next: Config = {
      ...running,
      tokens: [{ scope: 'admin', secret: 'new-secret-1111111111' }],
      logLevel: 'debug',
      accessLog: true,
      maxMemoryBytes: 1 << 30,
    }
    const applied = applyReload(running, next, app.decorator.live, logger)
    expect((await get('old-secret-0000000000')).status).toBe(401)
    expect((await get('new-secret-1111111111')).status).toBe(200)
    expect(logger.level).toBe('debug')
    expect(app.decorator.live.accessLog).toBe(true)
    // The bound is not changed by a reload: it is named as needing a restart.
    expect(applied.maxMemoryBytes).toBe(running.maxMemoryBytes)
    const reloaded = lines.find((line) => line.message === 'configuration reloaded')!
    expect(reloaded.changed).toEqual(['tokens', 'logLevel', 'accessLog'])
    expect(lines.find((line) => line.level === 'warn')!.settings).toEqual(['maxMemoryBytes'])
    expect(JSON.stringify(lines)).not.toContain('secret-')
  })

  test('going from tokens to none turns access control off; from none to some turns it on', async () => {
    const logger = createLogger('error', () => {})
    const running: Config = { ...baseConfig }
    const app = createApp(running, { clock: new ManualClock(), sweepIntervalMs: 0, logger })
    const put = () => app.handle(new Request('http://localhost/v1/kv/a', { method: 'PUT', body: '1' }))
    expect((await put()).status).toBe(201)
    const locked = applyReload(
      running,
      { ...running, tokens: [{ scope: 'write', secret: 'wwwwwwwwwwwwwwwwwwww' }] },
      app.decorator.live,
      logger,
    )
    expect((await put()).status).toBe(401)
    applyReload(locked, running, app.decorator.live, logger)
    expect((await put()).status).toBe(200)
  })
})
