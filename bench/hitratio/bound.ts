import type { Trace } from './trace'

/**
 * An upper bound on the hit ratio of any demand-fetch cache of `capacity` bytes (the PFOO-U idea of
 * Berger et al., SIGMETRICS'18). A hit at request j needs the key cached from its previous request i
 * through j: (j − i) × size byte-steps. Between N requests there are N − 1 steps of at most
 * `capacity` bytes each, so no policy can buy more hits than the cheapest intervals that fit in
 * capacity × (N − 1) byte-steps. Taking intervals cheapest-first maximises the count exactly.
 */
export function byteTimeBound(trace: Trace, capacity: number): number {
  const { ids, weights } = trace
  const last = new Int32Array(trace.keyCount).fill(-1)
  const costs: number[] = []
  for (let j = 0; j < ids.length; j++) {
    const key = ids[j]!
    const i = last[key]!
    if (i >= 0 && weights[key]! <= capacity) costs.push((j - i) * weights[key]!)
    last[key] = j
  }
  const sorted = Float64Array.from(costs).sort()
  let budget = capacity * (ids.length - 1)
  let hits = 0
  for (const cost of sorted) {
    if (cost > budget) break
    budget -= cost
    hits++
  }
  return (100 * hits) / ids.length
}
