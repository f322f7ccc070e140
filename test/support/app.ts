import { createApp, type AppDependencies } from '../../src/app'
import { ManualClock } from '../../src/cache'
import type { Config } from '../../src/config/schema'

export const baseConfig: Config = {
  host: '127.0.0.1',
  port: 0,
  maxMemoryBytes: 64 * 1024 * 1024,
  maxValueBytes: 1024 * 1024,
  maxKeyBytes: 512,
  defaultTtlMs: null,
  logLevel: 'error',
  upstreams: [],
  tokens: [],
  allowUnauthenticated: false,
  publicMetrics: false,
  accessLog: false,
  tls: null,
  maxBodyBytes: 8 * 1024 * 1024,
  maxBatch: 1000,
  maxHeaders: 198,
  maxHeaderBytes: 16 * 1024,
  idleTimeoutSeconds: 30,
  maxConnections: 10_000,
  corsOrigins: [],
  persistence: null,
  tier: null,
}

export interface Reply {
  status: number
  headers: Headers
  text: string
  // Parsed JSON body, or undefined when the body is not JSON.
  json: any
}

/**
 * An app over a fresh engine (or the one in `deps`) with a manual clock and no background sweep,
 * plus a terse request helper.
 */
export function testApp(overrides: Partial<Config> = {}, clock = new ManualClock(), deps: AppDependencies = {}) {
  const app = createApp({ ...baseConfig, ...overrides }, { clock, sweepIntervalMs: 0, ...deps })

  async function call(method: string, path: string, init: { body?: RequestInit['body']; json?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...init.headers }
    let body = init.body
    if (init.json !== undefined) {
      body = JSON.stringify(init.json)
      headers['content-type'] ??= 'application/json'
    }
    const response = await app.handle(new Request(`http://localhost${path}`, { method, body, headers }))
    const text = await response.text()
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: response.status, headers: response.headers, text, json }
  }

  return { app, clock, call, engine: app.decorator.engine }
}
