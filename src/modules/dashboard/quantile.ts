/**
 * The q-quantile of a histogram's observations, interpolated linearly inside the bucket it falls in
 * (as Prometheus's histogram_quantile does); null with no observations. `counts[i]` counts the
 * observations in bucket i alone (not cumulative); the last cell counts those above every bound,
 * for which the last bound is the best answer there is.
 */
export function histogramQuantile(q: number, bounds: readonly number[], counts: ArrayLike<number>): number | null {
  let total = 0
  for (let i = 0; i < counts.length; i++) total += counts[i]!
  if (total === 0) return null
  const rank = q * total
  let below = 0
  for (let i = 0; i < bounds.length; i++) {
    const inBucket = counts[i]!
    if (inBucket > 0 && below + inBucket >= rank) {
      const lower = i === 0 ? 0 : bounds[i - 1]!
      return lower + (bounds[i]! - lower) * ((rank - below) / inBucket)
    }
    below += inBucket
  }
  return bounds[bounds.length - 1]!
}
