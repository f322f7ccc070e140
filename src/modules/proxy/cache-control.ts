import { parseDictionary, type DictionaryValue } from './structured-fields'

/** Cache-Control directives (RFC 9111 section 5.2): lower-case names, values unquoted, `true` for bare names. */
export type Directives = ReadonlyMap<string, string | true>

/** Most requests carry no Cache-Control: they all share this one. */
export const NO_DIRECTIVES: Directives = new Map()

// No two `\s*` can take the same whitespace (the one after a value sits inside its group): with two, a
// long run of spaces that fails to match is split every way, and a client's Cache-Control of 15 KiB of
// spaces cost a third of a second of CPU.
const DIRECTIVE = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*)?(?:,|$)/y

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

/** A response's directives and where they came from: a targeted field (RFC 9213), or Cache-Control. */
export interface ResponseDirectives {
  directives: Directives
  /** From a targeted field: Cache-Control and Expires play no part in the response's caching. */
  targeted: boolean
}

/**
 * RFC 9213 section 2.1: the first field of the upstream's target list (CDN-Cache-Control unless
 * configured otherwise) whose value is a valid, non-empty Structured Field Dictionary rules the
 * response instead of Cache-Control and Expires; without one, Cache-Control does.
 */
export function responseDirectives(headers: Headers, targetedFields: readonly string[]): ResponseDirectives {
  for (const name of targetedFields) {
    const field = headers.get(name)
    if (field === null) continue
    const dictionary = parseDictionary(field)
    if (dictionary !== undefined && dictionary.size > 0) return { directives: directivesOf(dictionary), targeted: true }
  }
  return { directives: parseCacheControl(headers.get('cache-control')), targeted: false }
}

/**
 * A targeted field's members as directives: integers as delta-seconds, true for a bare name, false
 * leaving the directive out. Anything else keeps its text (a string keeps its quotes), so that
 * `max-age="60"` or `max-age=60.0` reads as a malformed delta, as in Cache-Control.
 */
function directivesOf(dictionary: Map<string, DictionaryValue>): Directives {
  const directives = new Map<string, string | true>()
  for (const [name, value] of dictionary) {
    if (value === false) continue
    directives.set(name, value === true ? true : typeof value === 'number' ? String(value) : value.text)
  }
  return directives
}
