// Numeric helpers of the cluster benchmark (the median is bench/http's).
import { median } from '../http/stats'

export { median }

/** Nearest-rank percentile (p in 0..100): the smallest sample with at least p% of the samples at or below it. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[Math.min(rank, sorted.length) - 1]!
}

/** How far repeated measurements are apart: (max − min) / median. */
export function spread(values: number[]): number {
  if (values.length < 2) return 0
  return (Math.max(...values) - Math.min(...values)) / median(values)
}

/** The median of per-round ratios a[i] / b[i]: rounds run their sides back to back, so a slow spell of a shared machine hits both. */
export function roundRatio(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length)
  return median(Array.from({ length: n }, (_, i) => a[i]! / b[i]!))
}
