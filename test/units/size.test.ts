import { describe, expect, test } from 'bun:test'
import { formatSize, parseSizeBytes } from '../../src/units/size'

const KB = 1024
const MB = 1024 ** 2
const GB = 1024 ** 3

describe('parseSizeBytes: strings', () => {
  test.each([
    ['1', 1],
    ['512', 512],
    ['1048576', MB],
    ['512b', 512],
    ['1kb', KB],
    ['512kb', 512 * KB],
    ['1mb', MB],
    ['256mb', 256 * MB],
    ['1gb', GB],
    ['4gb', 4 * GB],
    ['0010kb', 10 * KB],
  ])('%p is %p bytes', (input, bytes) => {
    expect(parseSizeBytes(input)).toBe(bytes)
  })

  test('units are binary, not decimal', () => {
    expect(parseSizeBytes('1kb')).toBe(1024)
    expect(parseSizeBytes('1mb')).toBe(1024 * 1024)
    expect(parseSizeBytes('1gb')).toBe(1024 * 1024 * 1024)
  })

  test.each([['1KB'], ['1Kb'], ['1kB'], ['1Mb'], ['1MB'], ['1GB']])('units are case-insensitive: %p', (input) => {
    expect(parseSizeBytes(input)).toBe(parseSizeBytes(input.toLowerCase())!)
  })

  test('zero parses as zero bytes (the config layer is what demands at least 1)', () => {
    expect(parseSizeBytes('0')).toBe(0)
    expect(parseSizeBytes('0kb')).toBe(0)
  })

  test('surrounding whitespace is ignored', () => {
    expect(parseSizeBytes(' 1kb ')).toBe(KB)
    expect(parseSizeBytes('\t64\n')).toBe(64)
  })

  test.each([
    [''],
    ['   '],
    ['kb'],
    ['abc'],
    ['-1'],
    ['-1kb'],
    ['+1kb'],
    ['1.5'],
    ['1.5mb'],
    ['.5gb'],
    ['1e3'],
    ['0x10'],
    ['1k'],
    ['1m'],
    ['1g'],
    ['1tb'],
    ['1kib'],
    ['1 kb'],
    ['1kbb'],
    ['1,024'],
    ['1_024'],
    ['true'],
    ['Infinity'],
  ])('rejects %p', (input) => {
    expect(parseSizeBytes(input)).toBeUndefined()
  })
})

describe('parseSizeBytes: JSON numbers are bytes', () => {
  test.each([[0], [1], [512], [MB], [Number.MAX_SAFE_INTEGER]])('%p is itself', (input) => {
    expect(parseSizeBytes(input)).toBe(input)
  })

  test.each([[-1], [0.5], [1.5], [Number.MAX_SAFE_INTEGER + 1], [1e20], [Number.NaN], [Number.POSITIVE_INFINITY]])(
    'rejects %p',
    (input) => {
      expect(parseSizeBytes(input)).toBeUndefined()
    },
  )
})

describe('parseSizeBytes: other types', () => {
  test.each([[null], [undefined], [true], [false], [{}], [[]], [[1024]], [1024n]])('rejects %p', (input) => {
    expect(parseSizeBytes(input)).toBeUndefined()
  })
})

describe('parseSizeBytes: stays within safe integers', () => {
  test('the largest safe byte count is accepted, one more is not', () => {
    expect(parseSizeBytes(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER)
    expect(parseSizeBytes(String(Number.MAX_SAFE_INTEGER + 1))).toBeUndefined()
  })

  test('a unit that pushes the count past 2^53 is rejected rather than rounded', () => {
    // 2^53 bytes is 8388608gb.
    expect(parseSizeBytes('8388607gb')).toBe(8388607 * GB)
    expect(parseSizeBytes('8388608gb')).toBeUndefined()
    expect(parseSizeBytes('99999999999gb')).toBeUndefined()
    expect(parseSizeBytes('9'.repeat(400))).toBeUndefined()
  })
})

describe('formatSize', () => {
  test.each([
    [0, '0b'],
    [1, '1b'],
    [512, '512b'],
    [1023, '1023b'],
    [KB, '1kb'],
    [1536, '1536b'],
    [512 * KB, '512kb'],
    [MB, '1mb'],
    [MB + KB, '1025kb'],
    [256 * MB, '256mb'],
    [GB, '1gb'],
    [3 * GB, '3gb'],
    [1536 * MB, '1536mb'],
  ])('%p renders as %p', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text)
  })

  test.each([[1], [KB], [1536], [256 * MB], [GB + MB], [5 * GB]])('formatting %p parses back to the same bytes', (bytes) => {
    expect(parseSizeBytes(formatSize(bytes))).toBe(bytes)
  })
})
