import { Elysia } from 'elysia'
import { CacheEngine, systemClock, type Clock } from './cache'
import type { Config } from './config/schema'
import { errorHandling } from './http/error-handler'
import { checkFastPaths } from './http/fast-path'
import { silentLogger, type Logger } from './log/logger'
import { adminModule } from './modules/admin'
import { batchModule } from './modules/batch'
import { healthModule } from './modules/health'
import { keysModule } from './modules/keys'
import { ProxyService, proxyModule } from './modules/proxy'
import { kvModule } from './modules/kv'
import { kvFastGet } from './modules/kv/fast-get'
import { kvFastPut } from './modules/kv/fast-put'
import { proxyFastRead } from './modules/proxy/fast-read'
import { RequestMetrics, statsModule, timeRequests, type RequestObserver } from './modules/stats'
import { RouteTable } from './http/route-table'
import { peerAddress } from './http/url'
import { accessLog } from './log/access-log'
import { LiveSettings } from './live-settings'
import { Readiness } from './readiness'
import { front } from './front'
import { InFlight } from './http/request-limits'
import { LocalStore, type Store } from './store'
import { SharedStore } from './tier/shared-store'
import type { TierConfig } from './tier/redis-connection'
import type { Persistence } from './persistence'
import { VERSION } from './version'
import { openapiModule } from './modules/openapi'
import { apiViewerModule } from './modules/api-viewer'
import { DashboardService, dashboardModule } from './modules/dashboard'
import { openApiDocument } from './http/openapi/document'
import type { DeclaredRoute } from './http/openapi/responses'
import type { PageAccess } from './http/pages/token-meta'

export interface AppDependencies {
  logger?: Logger
  /** The engine's time source; tests inject a ManualClock instead of sleeping. */
  clock?: Clock
  /** How often expired entries are swept; 0 turns the background sweep off. */
  sweepIntervalMs?: number
  /** An engine made (and loaded from disk) beforehand with createEngine; otherwise a new one. */
  engine?: CacheEngine
  /** Persistence over that engine, when --data-dir is on. */
  persistence?: Persistence
  /** How often the dashboard takes a point while it is watched; 0: only when a test calls sample(). */
  dashboardIntervalMs?: number
  /** Settings SIGHUP can change; made from the configuration when not given. */
  live?: LiveSettings
  /** What the server waits for before it is ready (main.ts); ready from the start when not given. */
  readiness?: Readiness
}

/** The cache engine as the configuration describes it. */
export function createEngine(config: Config, deps: Pick<AppDependencies, 'clock' | 'sweepIntervalMs'> = {}): CacheEngine {
  return new CacheEngine({
    maxBytes: config.maxMemoryBytes,
    defaultTtlMs: config.defaultTtlMs,
    clock: deps.clock,
    sweepIntervalMs: deps.sweepIntervalMs,
  })
}

function sharedStore(tier: TierConfig, engine: CacheEngine, config: Config, logger: Logger): SharedStore {
  // Loaded only with a shared tier: the Redis client costs start-up time and memory otherwise unused.
  const { connect, duplicate } = require('./tier/redis-connection') as typeof import('./tier/redis-connection')
  const redis = connect(tier)
  const near = tier.nearCacheTtlMs > 0 ? engine : undefined
  const options = { nearCacheTtlMs: tier.nearCacheTtlMs, defaultTtlMs: config.defaultTtlMs, sizing: engine }
  return new SharedStore(redis, duplicate(redis), near, options, logger)
}

const API_DESCRIPTION = 'An HTTP cache server with a typed JSON key-value API.'
const API_TAGS = [
  { name: 'keys', description: 'values by key: store, read, delete, count, expire, list' },
  { name: 'batch', description: 'several operations run as one' },
  { name: 'proxy', description: 'the read-through HTTP cache in front of configured upstreams' },
  { name: 'admin', description: 'persistence' },
  { name: 'observability', description: 'counters, metrics and this document' },
  { name: 'health', description: 'liveness and readiness, open to anyone' },
]

/** Builds the whole HTTP application over one cache engine. `src/main.ts` only starts it. */
export function createApp(config: Config, deps: AppDependencies = {}) {
  const logger = deps.logger ?? silentLogger
  const engine = deps.engine ?? createEngine(config, deps)
  // With a shared tier, key-value entries live in Redis and this engine is the instance's near cache.
  const shared = config.tier === null ? undefined : sharedStore(config.tier, engine, config, logger)
  const store: Store = shared ?? new LocalStore(engine)
  const proxy = new ProxyService(store, config.upstreams, deps.clock ?? systemClock, logger, config.tokens.length > 0)
  const requests = new RequestMetrics()
  const live = deps.live ?? new LiveSettings(config)
  const readiness = deps.readiness ?? new Readiness()
  // Set when the data directory has loaded (the server listens before that): see main.ts.
  const persistence: { current: Persistence | undefined } = { current: deps.persistence }
  const inFlight = new InFlight(config.maxConnections)
  const info = { version: VERSION, startedAt: performance.timeOrigin, inFlight: () => inFlight.size }

  const dashboard = new DashboardService(
    {
      engine,
      requests,
      upstreams: config.upstreams.map((upstream) => upstream.name),
      proxy: proxy.counters,
      tier: shared,
      persistenceDir: config.persistence?.dir ?? null,
      clock: deps.clock ?? systemClock,
      version: VERSION,
      startedAt: info.startedAt,
    },
    { intervalMs: deps.dashboardIntervalMs ?? 1000 },
  )

  // The document describes every route: it is built from them once the app is composed.
  const composed: { routes: readonly DeclaredRoute[] } = { routes: [] }
  const pageAccess: PageAccess = {
    tokensOn: () => live.tokens.enabled,
    dataNeedsToken: () => live.tokens.enabled && !config.publicMetrics,
  }
  // systemRouter off: Bun's native routes would pick static routes on their own reading of the path,
  // before front.ts runs; one router (Elysia's, on the URL front.ts hands it) decides every route.
  const app = new Elysia({ name: 'fastcache', normalize: false, systemRouter: false })
    .decorate('engine', engine)
    .decorate('shared', shared)
    .decorate('live', live)
    .decorate('persistence', persistence)
    .decorate('readiness', readiness)
    .decorate('dashboard', dashboard)
    .use(errorHandling(logger))
    .use(
      openapiModule(() =>
        openApiDocument(composed.routes, { title: 'fastcache', version: VERSION, description: API_DESCRIPTION, tags: API_TAGS }),
      ),
    )
    .use(apiViewerModule('fastcache API', pageAccess))
    .use(healthModule(readiness, shared))
    .use(kvModule(store, config))
    .use(batchModule(store, config))
    .use(keysModule(store))
    .use(proxyModule(proxy))
    .use(adminModule(() => persistence.current))
    .use(statsModule(engine, info, requests, proxy.counters, store.counters))
    .use(dashboardModule(dashboard, pageAccess))
  composed.routes = app.routes
  const remote = (request: Request) => peerAddress(app.server, request)
  const logRequest = accessLog(logger, remote, () => logger.enabled('debug'))
  const observers: RequestObserver[] = [
    requests.observer,
    // At debug level every request is logged, with its path, as if --access-log were on.
    (request, response, route, seconds) => (live.accessLog || logger.enabled('debug')) && logRequest(request, response, route, seconds),
  ]
  const routes = new RouteTable(app.routes)
  const timed = timeRequests(observers, (url) => routes.templateOfUrl(url))
  // Elysia calls a wrapper as `wrapper(handle, request)(request)`; its HigherOrderFunction type does not say so.
  const fastPaths = [
    kvFastGet(store, config.maxKeyBytes),
    kvFastPut(store, config.maxKeyBytes, config.maxValueBytes, logger),
    proxyFastRead(proxy, logger),
  ]
  // A fast path serves its route and is guarded by that route's rule: the route must exist, alone under its prefix.
  checkFastPaths(fastPaths, app.routes)
  // With --fsync always a write is answered once the journal's fsync covers it.
  const durable = config.persistence?.fsync === 'always' ? () => persistence.current?.durable() ?? Promise.resolve() : undefined
  return app.wrap(front(config, { fastPaths, timed, durable, inFlight, live, logger, remote, readiness, routes }) as never)
}

export type App = ReturnType<typeof createApp>
