import { describe, expect, test } from 'bun:test'
import { histogramQuantile } from '../../src/modules/dashboard/quantile'

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
