/** Upper bounds of the request-duration histogram, in seconds. */
export const DURATION_BUCKETS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
]

/** One series' totals at a moment (see `totals`). */
export interface SeriesTotals {
  method: string
  route: string
  status: number
  count: number
  /** counts[i] = observations <= DURATION_BUCKETS[i]; the last cell counts those above every bound. */
  counts: Float64Array
}

interface Series {
  method: string
  route: string
  status: number
  /** counts[i] = observations <= DURATION_BUCKETS[i]; the last cell counts those above every bound. */
  counts: Float64Array
  sum: number
  count: number
}

/** Methods get their own series; any other (clients may send any token) shares one, so series stay bounded. */
const METHODS = new Set(['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS'])
const METHOD_NUMBERS = new Map([...METHODS, 'OTHER'].map((method, i) => [method, i]))

export const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')

/** Request durations by method, route template and status, rendered as a Prometheus histogram. */
export class RequestMetrics {
  /** Every series, in the order first seen. */
  private readonly series: Series[] = []
  /**
   * The series by route template, then method and status: a route template is one of a few strings,
   * so finding a series costs no new string per request (building an id string for one cost ~9% of a GET).
   */
  private readonly byRoute = new Map<string, Map<number, Series>>()

  /** A RequestObserver (see request-timing.ts). */
  readonly observer = (request: Request, response: Response, route: string, seconds: number) =>
    this.observe(request.method, route, response.status, seconds)

  observe(requestMethod: string, route: string, status: number, seconds: number): void {
    const method = METHODS.has(requestMethod) ? requestMethod : 'OTHER'
    let statuses = this.byRoute.get(route)
    if (statuses === undefined) {
      statuses = new Map()
      this.byRoute.set(route, statuses)
    }
    // Statuses are below 1000: one number names the pair.
    const pair = METHOD_NUMBERS.get(method)! * 1000 + status
    let series = statuses.get(pair)
    if (series === undefined) {
      series = { method, route, status, counts: new Float64Array(DURATION_BUCKETS.length + 1), sum: 0, count: 0 }
      this.series.push(series)
      statuses.set(pair, series)
    }
    let bucket = 0
    while (bucket < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[bucket]!) bucket++
    series.counts[bucket]!++
    series.sum += seconds
    series.count++
  }

  /** Every series' totals so far, copied: the dashboard turns two of these into rates and quantiles. */
  totals(): SeriesTotals[] {
    return this.series.map(({ method, route, status, count, counts }) => ({
      method,
      route,
      status,
      count,
      counts: counts.slice(),
    }))
  }

  render(): string {
    const name = 'fastcache_http_request_duration_seconds'
    const lines = [`# HELP ${name} Time from request to response, by method, route template and status.`, `# TYPE ${name} histogram`]
    for (const s of this.series) {
      const labels = `method="${escapeLabel(s.method)}",route="${escapeLabel(s.route)}",status="${s.status}"`
      let cumulative = 0
      DURATION_BUCKETS.forEach((bound, i) => {
        cumulative += s.counts[i]!
        lines.push(`${name}_bucket{${labels},le="${bound}"} ${cumulative}`)
      })
      lines.push(`${name}_bucket{${labels},le="+Inf"} ${s.count}`)
      lines.push(`${name}_sum{${labels}} ${s.sum}`)
      lines.push(`${name}_count{${labels}} ${s.count}`)
    }
    return `${lines.join('\n')}\n`
  }
}
