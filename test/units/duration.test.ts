import { describe, expect, test } from 'bun:test'
import { MAX_DURATION_MS, parseDurationMs } from '../../src/units/duration'

const SECOND = 1000
const DAY = 86_400_000

describe('parseDurationMs: strings', () => {
  test.each([
    ['1', 1 * SECOND],
    ['30', 30 * SECOND],
    ['250ms', 250],
    ['1ms', 1],
    ['30s', 30 * SECOND],
    ['5m', 5 * 60 * SECOND],
    ['2h', 2 * 3600 * SECOND],
    ['1d', DAY],
    ['90m', 90 * 60 * SECOND],
  ])('%p is %p ms', (input, ms) => {
    expect(parseDurationMs(input)).toBe(ms)
  })

  test('a bare number of seconds equals the same number with s', () => {
    expect(parseDurationMs('45')).toBe(parseDurationMs('45s')!)
  })

  test.each([
    ['0'],
    ['0s'],
    ['0ms'],
    ['00'],
    ['05s'],
    ['-1'],
    ['-5s'],
    ['+5s'],
    ['1.5'],
    ['1.5s'],
    ['.5s'],
    ['1e3'],
    ['0x10'],
    [''],
    ['s'],
    ['ms'],
    ['abc'],
    ['5x'],
    ['5w'],
    ['5y'],
    ['5 s'],
    [' 5s'],
    ['5s '],
    ['5S'],
    ['5MS'],
    ['5sec'],
    ['1h30m'],
    ['true'],
    ['Infinity'],
    ['NaN'],
  ])('rejects %p', (input) => {
    expect(parseDurationMs(input)).toBeUndefined()
  })
})

describe('parseDurationMs: JSON numbers are seconds', () => {
  test.each([
    [1, 1 * SECOND],
    [30, 30 * SECOND],
    [86_400, DAY],
  ])('%p is %p ms', (input, ms) => {
    expect(parseDurationMs(input)).toBe(ms)
  })

  test.each([[0], [-0], [-1], [-30], [0.5], [1.5], [Number.NaN], [Number.POSITIVE_INFINITY], [Number.NEGATIVE_INFINITY]])(
    'rejects %p',
    (input) => {
      expect(parseDurationMs(input)).toBeUndefined()
    },
  )
})

describe('parseDurationMs: other types', () => {
  test.each([[null], [undefined], [true], [false], [{}], [[]], [[30]], [30n]])('rejects %p', (input) => {
    expect(parseDurationMs(input)).toBeUndefined()
  })
})

describe('parseDurationMs: upper bound', () => {
  test('the bound is 100 years of 365 days', () => {
    expect(MAX_DURATION_MS).toBe(100 * 365 * DAY)
  })

  test('accepts exactly the bound in every unit that can express it', () => {
    expect(parseDurationMs('36500d')).toBe(MAX_DURATION_MS)
    expect(parseDurationMs(`${36500 * 24}h`)).toBe(MAX_DURATION_MS)
    expect(parseDurationMs(`${MAX_DURATION_MS / SECOND}`)).toBe(MAX_DURATION_MS)
    expect(parseDurationMs(`${MAX_DURATION_MS}ms`)).toBe(MAX_DURATION_MS)
    expect(parseDurationMs(MAX_DURATION_MS / SECOND)).toBe(MAX_DURATION_MS)
  })

  test('rejects anything beyond the bound', () => {
    expect(parseDurationMs('36501d')).toBeUndefined()
    expect(parseDurationMs(`${MAX_DURATION_MS + 1}ms`)).toBeUndefined()
    expect(parseDurationMs(`${MAX_DURATION_MS / SECOND + 1}`)).toBeUndefined()
    expect(parseDurationMs(MAX_DURATION_MS / SECOND + 1)).toBeUndefined()
    expect(parseDurationMs('99999999999999999999999d')).toBeUndefined()
    expect(parseDurationMs(Number.MAX_SAFE_INTEGER)).toBeUndefined()
  })
})
