import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { byteTimeBound } from '../../bench/hitratio/bound'
import { POLICIES, policyNamed } from '../../bench/hitratio/policies'
import { readTraceFile } from '../../bench/hitratio/readers'
import { replay } from '../../bench/hitratio/replay'
import { cacheSize } from '../../bench/hitratio/sizes'
import { buildTrace } from '../../bench/hitratio/trace'
import { PROJECT_TRACE_DIR } from '../../bench/hitratio/workloads'

// The project carries the trace (bench/traces), so a fresh clone runs this as it is.
const gli = await readTraceFile(join(PROJECT_TRACE_DIR, 'lirs-gli.trace.gz'), 'lirs')

/** Published figures (bench/traces/README.md): exact LRU and Belady's OPT with bypass on LIRS gli. */
const LRU: [number, string][] = [
  [250, '0.91'],
  [500, '0.95'],
  [750, '1.15'],
  [1000, '11.21'],
  [1250, '21.25'],
  [1500, '36.56'],
  [1750, '45.04'],
  [2000, '57.41'],
]
const OPT: [number, string][] = [
  [1000, '53.15'],
  [2000, '57.96'],
]

const at = (policy: string, entries: number): number => replay(gli, policyNamed(policy), cacheSize(gli, entries).capacity)

describe('hit-ratio harness on LIRS gli, against published figures', () => {
  test('the reader sees 6,015 requests over 2,529 keys', () => {
    expect(gli.ids.length).toBe(6015)
    expect(gli.keyCount).toBe(2529)
  })

  test.each(LRU)('exact LRU at %d entries: %s percent', (entries, published) => {
    expect(at('LRU', entries).toFixed(2)).toBe(published)
  })

  test.each(OPT)('OPT with bypass at %d entries: %s percent', (entries, published) => {
    expect(at('OPT', entries).toFixed(2)).toBe(published)
  })

  test('the lru-cache package, bounded by the same bytes, is exact LRU too', () => {
    for (const [entries] of LRU) expect(at('lru-cache', entries)).toBe(at('LRU', entries))
  })

  test('the byte-time bound is never below OPT', () => {
    for (const [entries] of LRU) expect(byteTimeBound(gli, cacheSize(gli, entries).capacity)).toBeGreaterThanOrEqual(at('OPT', entries))
  })
})

describe('hit-ratio harness rules', () => {
  test('an object larger than the whole budget is a miss and never stored, for every policy', () => {
    // Key 1 weighs 10 + 100 bytes, key 2 weighs 10 + 5; the budget is 50 bytes.
    const trace = buildTrace('oversize', [1, 1, 1, 2, 2, 1, 2], [100, 100, 100, 5, 5, 100, 5])
    for (const spec of POLICIES) {
      if (!(spec.appliesTo?.(trace) ?? true)) continue
      // Only key 2's two repeats can hit: 2 of 7 requests.
      expect({ policy: spec.name, hitRatio: replay(trace, spec, 50) }).toEqual({ policy: spec.name, hitRatio: (100 * 2) / 7 })
    }
  })
})
