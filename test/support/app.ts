import { createApp, type AppDependencies } from '../../src/app'
import { ManualClock } from '../../src/cache'
import { loadConfig } from '../../src/config/load'
import type { Config } from '../../src/config/schema'
import { replyChecker } from './reply-check'

/** The defaults (from the schema, through the loader), on a free port, quiet, with a 64 MiB bound. */
export const baseConfig: Config = (() => {
  const loaded = loadConfig(['--port', '0', '--log-level', 'error', '--max-memory', '64mb'], {})
  if (loaded.kind !== 'run') throw new Error('the test configuration did not load')
  return loaded.config
})()

export interface Reply {
  status: number
  headers: Headers
  text: string
  /** Parsed JSON body, or undefined when the body is not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever shape each route answers with.
  json: any
}

/**
 * An app over a fresh engine (or the one in `deps`) with a manual clock and no background sweep,
 * plus a terse request helper that checks each reply against its route's declared replies.
 */
export function testApp(overrides: Partial<Config> = {}, clock = new ManualClock(), deps: AppDependencies = {}) {
  const app = createApp({ ...baseConfig, ...overrides }, { clock, sweepIntervalMs: 0, dashboardIntervalMs: 0, ...deps })
  const check = replyChecker(app.routes)

  async function call(
    method: string,
    path: string,
    init: { body?: RequestInit['body']; json?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...init.headers }
    let body = init.body
    if (init.json !== undefined) {
      body = JSON.stringify(init.json)
      headers['content-type'] ??= 'application/json'
    }
    const response = await app.handle(new Request(`http://localhost${path}`, { method, body, headers }))
    const text = await response.text()
    // Every reply a test gets must be one its route declares (and so the OpenAPI document shows).
    check(method, path, { status: response.status, headers: response.headers, text })
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
