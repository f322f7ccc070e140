import { byteTimeBound } from './bound'
import { POLICIES, type PolicySpec } from './policies'
import type { CacheSize } from './sizes'
import type { Trace } from './trace'

export interface PolicyResult {
  policy: string
  /** Percent of requests that hit. */
  hitRatio: number
}

/**
 * Feeds every request of `trace`, in order, to a fresh instance of one policy and returns its hit
 * ratio in percent. The same loop drives every policy, including the engine and the offline ones.
 */
export function replay(trace: Trace, spec: PolicySpec, capacity: number): number {
  const policy = spec.create({ capacity, trace })
  const { ids, weights } = trace
  let hits = 0
  try {
    for (let t = 0; t < ids.length; t++) {
      const key = ids[t]!
      const weight = weights[key]!
      if (policy.access(key, weight)) {
        // The one rule every policy shares: what does not fit in the whole budget is never stored.
        if (weight > capacity) throw new Error(`${spec.name} hit an object larger than the capacity`)
        hits++
      }
    }
  } finally {
    policy.close?.()
  }
  return (100 * hits) / ids.length
}

/** Every applicable policy at one size, plus the byte-time upper bound for sized traces. */
export function evaluate(trace: Trace, size: CacheSize, specs: readonly PolicySpec[] = POLICIES): PolicyResult[] {
  const results = specs
    .filter((spec) => spec.appliesTo?.(trace) ?? true)
    .map((spec) => ({ policy: spec.name, hitRatio: replay(trace, spec, size.capacity) }))
  if (trace.sized) results.push({ policy: 'bound', hitRatio: byteTimeBound(trace, size.capacity) })
  return results
}
