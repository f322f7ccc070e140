import { describe, expect, test } from 'bun:test'
import { ourOutcome } from '../../src/modules/dashboard/upstream-outcomes'
import { histogramQuantile } from '../../src/modules/dashboard/quantile'

describe("a proxy answer's outcome, from our Cache-Status member", () => {
  test('hit, stale hit, forwards and bypass', () => {
    expect(ourOutcome('fastcache; hit; ttl=376')).toBe('hit')
    expect(ourOutcome('fastcache; hit; ttl=-3; detail=stale-while-revalidate')).toBe('hit')
    expect(ourOutcome('fastcache; fwd=uri-miss; stored')).toBe('miss')
    expect(ourOutcome('fastcache; fwd=stale; fwd-status=304')).toBe('miss')
    expect(ourOutcome('fastcache; fwd=bypass')).toBeUndefined()
    expect(ourOutcome(null)).toBeUndefined()
    expect(ourOutcome('other-cache; hit')).toBeUndefined()
  })

  test('ours is the last member: an upstream cache (another fastcache too) comes before it', () => {
    expect(ourOutcome('fastcache; hit, fastcache; fwd=uri-miss; stored')).toBe('miss')
    expect(ourOutcome('origin-cache; fwd=miss, fastcache; hit; ttl=5')).toBe('hit')
  })

  test('a key parameter may hold commas, semicolons and quotes', () => {
    expect(ourOutcome('fastcache; fwd=uri-miss; key="/a, fastcache; hit;\\"x"')).toBe('miss')
    expect(ourOutcome('fastcache; hit; key="fwd=miss, b"')).toBe('hit')
  })
})

describe('histogramQuantile', () => {
  const bounds = [1, 2, 4]
  test('interpolates inside the bucket the rank falls in', () => {
    expect(histogramQuantile(0.5, bounds, [0, 10, 0, 0])).toBe(1.5)
    expect(histogramQuantile(0.5, bounds, [10, 0, 0, 0])).toBe(0.5)
    expect(histogramQuantile(0.99, bounds, [50, 49, 1, 0])).toBe(2)
    expect(histogramQuantile(0.9, bounds, [0, 0, 10, 0])).toBeCloseTo(3.8)
  })

  test('above the last bound the answer is the last bound; with no observations, null', () => {
    expect(histogramQuantile(0.99, bounds, [1, 0, 0, 9])).toBe(4)
    expect(histogramQuantile(0.5, bounds, [0, 0, 0, 0])).toBeNull()
  })
})
