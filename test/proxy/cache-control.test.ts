import { describe, expect, test } from 'bun:test'
import { deltaSecondsMs, parseCacheControl } from '../../src/modules/proxy/cache-control'

describe('Cache-Control parsing (RFC 9111 section 5.2)', () => {
  test('names lower-cased, quoted values unquoted, bare names true, the first of a repeated directive kept', () => {
    const parsed = parseCacheControl('Max-Age=60 , private="set-cookie, x-a", no-cache, max-age=5,s-maxage = 9')
    expect(parsed.get('max-age')).toBe('60')
    expect(parsed.get('private')).toBe('set-cookie, x-a')
    expect(parsed.get('no-cache')).toBe(true)
    expect(parsed.get('s-maxage')).toBe('9')
  })

  test('a malformed part is skipped up to the next comma; a malformed delta is no freshness', () => {
    const parsed = parseCacheControl('@@@, max-age=abc, public')
    expect(parsed.get('public')).toBe(true)
    expect(deltaSecondsMs(parsed, 'max-age')).toBe(0)
  })

  // Bun lets 16 KiB of fields through; this run is longer, so that a pattern backtracking on it fails by its time-out.
  test('a long run of whitespace a client sends is read in one pass', () => {
    const run = ' '.repeat(96 * 1024)
    expect(parseCacheControl(`no-cache${run}x`).size).toBe(0)
    expect(parseCacheControl(`no-cache${run}, max-age=1`).get('max-age')).toBe('1')
    expect(parseCacheControl(`a${'\t '.repeat(48 * 1024)}=x y, public`).get('public')).toBe(true)
  })
})
