// The server's own count of answers by route and status (the `_count` series of its request-duration
// histogram in /metrics). wrk only knows "not 2xx"; the server knows which status each answer had,
// so the difference of two readings says whether any answer was other than a success or a miss.

export interface StatusCount {
  route: string
  status: number
  count: number
}

// The series also carry a method label (since the metrics split by method): counts are summed over it.
const COUNT_LINE =
  /^fastcache_http_request_duration_seconds_count\{(?:method="(?:[^"\\]|\\.)*",)?route="((?:[^"\\]|\\.)*)",status="(\d+)"\} (\d+(?:\.\d+)?(?:e\+?\d+)?)$/

export function parseStatusCounts(metrics: string): StatusCount[] {
  const counts = new Map<string, StatusCount>()
  for (const line of metrics.split('\n')) {
    const m = COUNT_LINE.exec(line.trim())
    if (!m) continue
    const route = m[1]!
    const status = Number(m[2])
    const key = `${status} ${route}`
    const known = counts.get(key)
    if (known) known.count += Number(m[3])
    else counts.set(key, { route, status, count: Number(m[3]) })
  }
  return [...counts.values()]
}

/** after − before per route and status, leaving out the pairs that did not move. */
export function diffStatusCounts(before: StatusCount[], after: StatusCount[]): StatusCount[] {
  const key = (c: StatusCount) => `${c.status} ${c.route}`
  const base = new Map(before.map((c) => [key(c), c.count]))
  return after
    .map((c) => ({ ...c, count: c.count - (base.get(key(c)) ?? 0) }))
    .filter((c) => c.count !== 0)
    .sort((a, b) => a.route.localeCompare(b.route) || a.status - b.status)
}

/** The key-value route's template in the server's metrics (`/v1/kv/*`). */
export const KV_ROUTE = '/v1/kv/*'

/** Answers this load may give: 200/201 for PUTs, 200 for hits, 404 for misses (and 200 from /v1/stats, /health, /metrics). */
export function isExpected(c: StatusCount): boolean {
  if (c.route === KV_ROUTE) return c.status === 200 || c.status === 201 || c.status === 404
  return c.status === 200
}
