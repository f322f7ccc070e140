/** Cache-Control directives (RFC 9111 section 5.2): lower-case names, values unquoted, `true` for bare names. */
export type Directives = ReadonlyMap<string, string | true>

/** Most requests carry no Cache-Control: they all share this one. */
export const NO_DIRECTIVES: Directives = new Map()

const DIRECTIVE = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*)))?\s*(?:,|$)/y

/**
 * Parses one or more Cache-Control field values. A directive given twice keeps its first value
 * (RFC 9111 section 4.2.1 allows either that or treating the response as stale). Malformed parts
 * are skipped up to the next comma, so one bad directive cannot hide the others.
 */
export function parseCacheControl(field: string | null): Directives {
  if (!field) return NO_DIRECTIVES
  const directives = new Map<string, string | true>()
  let at = 0
  while (at < field.length) {
    DIRECTIVE.lastIndex = at
    const match = DIRECTIVE.exec(field)
    if (match === null) {
      const comma = field.indexOf(',', at)
      if (comma < 0) break
      at = comma + 1
      continue
    }
    at = DIRECTIVE.lastIndex
    const name = match[1]!.toLowerCase()
    const value = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3] || true
    if (!directives.has(name)) directives.set(name, value)
    if (match[0].length === 0) break
  }
  return directives
}

/**
 * A directive's delta-seconds in milliseconds: undefined when absent, 0 when malformed (a cache
 * must then not treat the response as fresh), capped at 2^31 seconds as RFC 9111 section 1.2.2 says.
 */
export function deltaSecondsMs(directives: Directives, name: string): number | undefined {
  const value = directives.get(name)
  if (value === undefined) return undefined
  if (value === true || !/^[0-9]+$/.test(value)) return 0
  return Math.min(Number(value), 2 ** 31) * 1000
}
