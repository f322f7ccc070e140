// Invalidation delay: how long after instance A acknowledged a PUT instance B still serves the old value
// from its near cache. Per sample: B reads key k twice (the second read is a near hit), A PUTs a new value,
// then B is polled every `pollMs` until it answers the new value.
import { KEY_PREFIX } from '../http/preload'
import { tierDelta, tierStats, type Instance, type TierStats } from './instances'
import { median, percentile } from './stats'

export interface InvalidationOptions {
  samples: number
  size: number
  /** Interval between polls of B (from the start of one to the start of the next). */
  pollMs: number
  /** A sample whose new value B has not served after this long counts as not invalidated. */
  timeoutMs: number
}

export interface InvalidationResult {
  samples: number
  /** ms from A's PUT acknowledgment to the end of B's first read with the new value (an upper bound). */
  delays: number[]
  p50Ms: number
  p99Ms: number
  maxMs: number
  /**
   * ms from the acknowledgment to the start of B's last read that still had the old value, 0 when the first
   * read was already new (a lower bound: B still had its old copy at some point after that read started).
   */
  lowerBounds: number[]
  lowerP50Ms: number
  lowerP99Ms: number
  lowerMaxMs: number
  /** Samples whose very first read after the acknowledgment already had the new value. */
  freshAtFirstRead: number
  /** Reads after the acknowledgment that still returned the old value, over all samples. */
  staleReads: number
  /** The median time of one near-hit GET on B from this client: the part of a delay that is the read itself. */
  getMs: number
  timeouts: number
  counters: { a: TierStats; b: TierStats }
  problem?: string
}

/** A value of exactly `size` bytes that says which sample wrote it. */
const newValue = (sample: number, size: number) => `new-${sample}:`.padEnd(size, '#')

async function read(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) })
  const body = await response.text()
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${body.slice(0, 200)}`)
  return body
}

export async function measureInvalidation(
  a: Instance,
  b: Instance,
  keys: number,
  options: InvalidationOptions,
): Promise<InvalidationResult> {
  const { samples, size, pollMs, timeoutMs } = options
  const delays: number[] = []
  const lowerBounds: number[] = []
  const getTimes: number[] = []
  let freshAtFirstRead = 0
  let staleReads = 0
  let timeouts = 0
  const before = { a: await tierStats(a), b: await tierStats(b) }

  for (let sample = 0; sample < samples; sample++) {
    // Keys in turn over the key set; a key comes back only after `keys` samples.
    const path = `/v1/kv/${KEY_PREFIX}${sample % keys}`
    const old = await read(`${b.url}${path}`)
    const g0 = performance.now()
    if ((await read(`${b.url}${path}`)) !== old) throw new Error(`${path} changed on B between two reads with no write`)
    getTimes.push(performance.now() - g0)

    const value = newValue(sample, size)
    const put = await fetch(`${a.url}${path}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: value })
    await put.arrayBuffer()
    const acked = performance.now()
    if (put.status !== 200 && put.status !== 201) throw new Error(`PUT ${path} on A: ${put.status}`)

    let reads = 0
    let lastStaleStart = acked
    for (;;) {
      const started = performance.now()
      const body = await read(`${b.url}${path}`)
      reads++
      if (body === value) {
        delays.push(performance.now() - acked)
        lowerBounds.push(lastStaleStart - acked)
        if (reads === 1) freshAtFirstRead++
        break
      }
      if (body !== old) throw new Error(`${path} on B: neither the old nor the new value (${body.slice(0, 40)}…)`)
      staleReads++
      lastStaleStart = started
      if (performance.now() - acked > timeoutMs) {
        timeouts++
        break
      }
      // Paced from the start of the last poll, so a slow answer does not add a full interval on top.
      const wait = started + pollMs - performance.now()
      if (wait > 0) await Bun.sleep(wait)
    }
  }

  const counters = { a: tierDelta(before.a, await tierStats(a)), b: tierDelta(before.b, await tierStats(b)) }
  const problems: string[] = []
  if (timeouts > 0) problems.push(`${timeouts} of ${samples} writes not seen on B within ${timeoutMs} ms`)
  if (counters.b.invalidationsReceived < samples)
    problems.push(`B received ${counters.b.invalidationsReceived} invalidations for ${samples} writes on A`)
  return {
    samples,
    delays,
    p50Ms: percentile(delays, 50),
    p99Ms: percentile(delays, 99),
    maxMs: delays.length > 0 ? Math.max(...delays) : Number.NaN,
    lowerBounds,
    lowerP50Ms: percentile(lowerBounds, 50),
    lowerP99Ms: percentile(lowerBounds, 99),
    lowerMaxMs: lowerBounds.length > 0 ? Math.max(...lowerBounds) : Number.NaN,
    freshAtFirstRead,
    staleReads,
    getMs: median(getTimes),
    timeouts,
    counters,
    problem: problems.length > 0 ? problems.join('; ') : undefined,
  }
}
