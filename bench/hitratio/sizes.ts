/**
 * Cache sizes per trace: about 0.1%, 1% and 10% of its distinct keys (or distinct bytes, for sized
 * traces), skipping sizes under MIN_ENTRIES entries, a small cache of SMALL_ENTRIES entries, plus the
 * sizes published results use.
 */
import { KEY_BYTES, type Trace } from './trace'

export interface CacheSize {
  /** What the report and the JSON show: entries, or bytes for a sized trace. */
  value: number
  /** The budget every policy gets, in bytes. */
  capacity: number
  /** capacity / distinct bytes of the trace. */
  fraction: number
}

export const PERCENTS = [0.1, 1, 10]
export const MIN_ENTRIES = 10
/**
 * Every workload is also tried at 100 entries (objects of the mean size, for sized traces): small caches
 * are where an adaptive policy has the fewest samples to go on. Skipped when a size within 10% is
 * already there, or when 100 entries would hold more than half the keys.
 */
export const SMALL_ENTRIES = 100

const steps = (from: number, to: number, step: number): number[] =>
  Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step)

/**
 * Sizes in entries used in published results for the LIRS traces (LIRS, ARC, Caffeine's simulator), and
 * the sizes the shared traces' README suggests for the larger ones (a spread over its ranges).
 */
export const PUBLISHED_SIZES: Record<string, number[]> = {
  'lirs-backf': [50, ...steps(100, 500, 100)],
  'lirs-gli': steps(250, 2000, 250),
  'lirs-loop': steps(250, 1500, 250),
  'lirs-multi2': steps(500, 3000, 500),
  'lirs-sprite': steps(100, 1000, 100),
  'cache2k-orm-busy': [500, 1_000, 2_000, 5_000, 10_000, 20_000],
  'scarab-recs': [10_000, 50_000, 100_000],
  'corda-vaultservice': [5_000, 25_000, 50_000],
}

/** A size of `value` entries (entry-count trace) or bytes (sized trace). */
export function cacheSize(trace: Trace, value: number): CacheSize {
  const capacity = trace.sized ? value : value * KEY_BYTES
  return { value, capacity, fraction: capacity / trace.distinctBytes }
}

export function defaultSizes(trace: Trace, extra: number[] = PUBLISHED_SIZES[trace.name] ?? []): CacheSize[] {
  const values = new Set(extra)
  // For a sized trace, "entries" means objects of the mean size.
  const meanWeight = trace.distinctBytes / trace.keyCount
  for (const percent of PERCENTS) {
    const value = Math.round(((percent / 100) * trace.distinctBytes) / (trace.sized ? 1 : KEY_BYTES))
    const entries = trace.sized ? value / meanWeight : value
    if (entries >= MIN_ENTRIES) values.add(value)
  }
  const small = trace.sized ? Math.round(SMALL_ENTRIES * meanWeight) : SMALL_ENTRIES
  const near = [...values].some((value) => Math.abs(value - small) <= small * 0.1)
  if (!near && SMALL_ENTRIES <= trace.keyCount / 2) values.add(small)
  return [...values].sort((a, b) => a - b).map((value) => cacheSize(trace, value))
}

/** `500,1000` (entries, or bytes for a sized trace) or `0.1%,1%` (of distinct keys or bytes). */
export function parseSizes(list: string, trace: Trace): CacheSize[] {
  return list.split(',').map((token) => {
    const text = token.trim()
    const percent = text.endsWith('%')
    const number = Number(percent ? text.slice(0, -1) : text)
    if (!(number > 0)) throw new Error(`bad size '${text}': want a positive number of entries/bytes, or a percentage like 1%`)
    if (!percent) {
      if (!Number.isInteger(number)) throw new Error(`bad size '${text}': entries and bytes are whole numbers`)
      return cacheSize(trace, number)
    }
    const bytes = (number / 100) * trace.distinctBytes
    return cacheSize(trace, Math.max(1, Math.round(trace.sized ? bytes : bytes / KEY_BYTES)))
  })
}
