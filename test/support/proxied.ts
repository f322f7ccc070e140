import { ManualClock } from '../../src/cache'
import type { Config, UpstreamConfig } from '../../src/config/schema'
import { testApp } from './app'
import { startOrigin, type OriginHandler } from './origin'

const stops: (() => void)[] = []

/**
 * Stops the origins `proxied` started. Each test file registers it with `afterEach(stopOrigins)`:
 * a hook in this shared module would only be registered for the first file that loads it.
 */
export function stopOrigins(): void {
  while (stops.length > 0) stops.pop()!()
}

/** Upstream "api" at `baseUrl` with every option at its default. */
export const upstreamAt = (baseUrl: string, options: Partial<UpstreamConfig> = {}): UpstreamConfig => ({
  name: 'api',
  baseUrl,
  timeoutMs: 2000,
  maxBodyBytes: 1024 * 1024,
  defaultTtlMs: null,
  maxHeuristicTtlMs: 24 * 3600 * 1000,
  staleOnErrorMs: 60_000,
  forwardHeaders: null,
  cacheAuthorized: true,
  ignoreCookies: false,
  storeSetCookie: false,
  targetedFields: ['cdn-cache-control'],
  ...options,
})

const testClock = () => new ManualClock(Date.UTC(2030, 0, 1))

/** An app proxying the upstream "api" to a fresh origin, both on the same manual clock; both stop after the test. */
export function proxied(handler: OriginHandler, options: Partial<UpstreamConfig> = {}, config: Partial<Config> = {}) {
  const clock = testClock()
  const origin = startOrigin(clock)
  stops.push(origin.stop)
  origin.answer(handler)
  return { ...proxiedTo(`${origin.url}/base`, options, config, clock), origin }
}

/** An app proxying the upstream "api" at `baseUrl` (any origin the test started), on a manual clock. */
export function proxiedTo(baseUrl: string, options: Partial<UpstreamConfig> = {}, config: Partial<Config> = {}, clock = testClock()) {
  const { call, engine, app } = testApp({ ...config, upstreams: [upstreamAt(baseUrl, options)] }, clock)
  return { call, engine, app, clock }
}

/** An origin handler answering `body` with this Cache-Control (and more fields). */
export const cached =
  (body: string, cacheControl: string, headers: Record<string, string> = {}) =>
  () =>
    new Response(body, { headers: { 'cache-control': cacheControl, 'content-type': 'text/plain', ...headers } })
