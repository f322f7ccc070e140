import type { CacheEngine, Clock } from '../../cache'
import type { StoreCounters } from '../../store'
import type { ProxyCounters } from '../proxy/counters'
import type { RequestMetrics } from '../stats'
import { persistenceFiles, type PersistenceFiles } from './persistence-files'
import { PrefixSampler, type PrefixSample } from './prefix-sampler'
import { pointBetween, reading, type Point, type Reading } from './readings'

export interface DashboardSources {
  engine: CacheEngine
  requests: RequestMetrics
  /** The configured upstreams, and the proxy's counters for each. */
  upstreams: readonly string[]
  proxy: ProxyCounters
  /** The shared tier, when there is one. */
  tier?: { readonly available: boolean; readonly counters: StoreCounters }
  /** The data directory, with persistence on. */
  persistenceDir: string | null
  clock: Clock
  version: string
  /** Process start, epoch milliseconds. */
  startedAt: number
}

export interface DashboardOptions {
  /** How often a point is taken while the dashboard is watched; 0: only when `sample()` is called (tests). */
  intervalMs: number
  /** Points kept: the charts' time span. */
  windowPoints?: number
  /** Sampling stops this long after the last look. */
  idleMs?: number
  /** The key prefixes are sampled again at most this often. */
  prefixEveryMs?: number
}

/** What `GET /dashboard/data` answers (model.ts has its schema). */
export interface DashboardData {
  version: string
  now: number
  intervalMs: number
  upstreams: string[]
  /** Points after `since`, oldest first. */
  points: Point[]
  current: {
    uptimeSeconds: number
    items: number
    bytes: number
    maxBytes: number
    rss: number
    tier: { available: boolean; counters: Record<string, number> } | null
    persistence: PersistenceFiles | null
    prefixes: PrefixSample & { sampledAt: number }
  }
}

/**
 * The dashboard's figures, from the counters the server keeps anyway (request histogram, engine,
 * proxy, tier): nothing is counted per request for it. Nothing runs until someone looks either: the
 * first `data()` starts a timer that reads the counters every interval and keeps the rates between
 * readings as points, and it stops once nobody has looked for `idleMs`.
 */
export class DashboardService {
  private readonly points: Point[] = []
  private readonly prefixSampler: PrefixSampler
  private prefixes: (PrefixSample & { sampledAt: number }) | undefined
  private previous: Reading | undefined
  private timer: ReturnType<typeof setInterval> | undefined
  private watching = false
  private lastLook = 0
  private readonly windowPoints: number
  private readonly idleMs: number
  private readonly prefixEveryMs: number

  constructor(
    private readonly sources: DashboardSources,
    private readonly options: DashboardOptions,
  ) {
    this.prefixSampler = new PrefixSampler(sources.engine)
    this.windowPoints = options.windowPoints ?? 300
    this.idleMs = options.idleMs ?? 60_000
    this.prefixEveryMs = options.prefixEveryMs ?? 5000
  }

  /** Whether the sampling is on. */
  get watched(): boolean {
    return this.watching
  }

  /** What the page shows: the points after `since` and the state now. Starts the sampling if it was off. */
  data(since = 0): DashboardData {
    const { engine, clock, tier, persistenceDir } = this.sources
    const now = clock.now()
    this.lastLook = now
    if (!this.watching) this.start()
    if (this.prefixes === undefined || now - this.prefixes.sampledAt >= this.prefixEveryMs) {
      this.prefixes = { ...this.prefixSampler.sample(), sampledAt: now }
    }
    const stats = engine.stats()
    return {
      version: this.sources.version,
      now,
      intervalMs: this.options.intervalMs,
      upstreams: [...this.sources.upstreams],
      points: this.points.filter((point) => point.t > since),
      current: {
        uptimeSeconds: Math.floor((Date.now() - this.sources.startedAt) / 1000),
        items: stats.items,
        bytes: stats.bytes,
        maxBytes: stats.maxBytes,
        rss: process.memoryUsage.rss(),
        tier: tier === undefined ? null : { available: tier.available, counters: { ...tier.counters.values } },
        persistence: persistenceDir === null ? null : persistenceFiles(persistenceDir),
        prefixes: this.prefixes,
      },
    }
  }

  /** Takes a point: the rates since the previous reading. The timer calls it; tests call it after moving the clock. */
  sample(): void {
    if (!this.watching) return
    const now = this.sources.clock.now()
    if (now - this.lastLook > this.idleMs) {
      this.stop()
      return
    }
    const next = this.read(now)
    const previous = this.previous
    if (previous === undefined || next.at <= previous.at) return
    this.points.push(pointBetween(previous, next, process.memoryUsage.rss()))
    if (this.points.length > this.windowPoints) this.points.shift()
    this.previous = next
  }

  close(): void {
    this.stop()
  }

  private read(at: number): Reading {
    const { requests, engine, proxy, upstreams, tier } = this.sources
    return reading(at, requests.totals(), engine.stats(), { counters: proxy, upstreams }, tier?.counters.values)
  }

  private start(): void {
    this.watching = true
    this.previous = this.read(this.sources.clock.now())
    if (this.options.intervalMs > 0) {
      this.timer = setInterval(() => this.sample(), this.options.intervalMs)
      this.timer.unref()
    }
  }

  /** Back to costing nothing; the next look starts afresh (a gap would read as one long interval). */
  private stop(): void {
    if (!this.watching) return
    this.watching = false
    clearInterval(this.timer)
    this.timer = undefined
    this.previous = undefined
    this.points.length = 0
    this.prefixes = undefined
  }
}
