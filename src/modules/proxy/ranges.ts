// Byte ranges of a stored response (RFC 9110 section 14): which part a GET asks for, if any.
import { parseHttpDate } from './http-date'

/** A range to send: the first and last byte positions, both included. */
export interface ByteRange {
  first: number
  last: number
}

/**
 * What to answer a GET's Range with, for a stored 200 of `length` bytes with these fields: a byte
 * range (206), 'unsatisfiable' (416), or undefined for the whole response. The whole response is
 * what a server may always send instead (section 14.2): for no Range, another unit, a malformed
 * field, an If-Range that does not match, or several ranges (multipart answers are not made).
 */
export function requestedRange(request: Headers, stored: Headers, length: number): ByteRange | 'unsatisfiable' | undefined {
  const field = request.get('range')
  if (field === null || !ifRangeHolds(request.get('if-range'), stored)) return undefined
  const match = /^bytes=(.*)$/i.exec(field.trim())
  if (match === null) return undefined
  const satisfiable: ByteRange[] = []
  let specs = 0
  for (const spec of match[1]!.split(',')) {
    const text = spec.trim()
    if (text === '') continue
    specs++
    const range = rangeOf(text, length)
    if (range === 'invalid') return undefined
    if (range !== undefined) satisfiable.push(range)
  }
  if (specs === 0) return undefined
  if (satisfiable.length === 0) return 'unsatisfiable'
  return satisfiable.length === 1 ? satisfiable[0] : undefined
}

/** One range-spec: its range within `length`, undefined when it is not satisfiable, 'invalid' when it is malformed. */
function rangeOf(spec: string, length: number): ByteRange | 'invalid' | undefined {
  const suffix = /^-([0-9]{1,15})$/.exec(spec)
  if (suffix !== null) {
    const count = Number(suffix[1])
    return count === 0 || length === 0 ? undefined : { first: Math.max(0, length - count), last: length - 1 }
  }
  const bounded = /^([0-9]{1,15})-([0-9]{0,15})$/.exec(spec)
  if (bounded === null) return 'invalid'
  const first = Number(bounded[1])
  if (bounded[2] !== '' && Number(bounded[2]) < first) return 'invalid'
  if (first >= length) return undefined
  return { first, last: bounded[2] === '' ? length - 1 : Math.min(Number(bounded[2]), length - 1) }
}

/**
 * Section 13.1.5: a range is sent only if the If-Range validator (when there is one) matches the
 * stored response: an entity tag by strong comparison, a date by equality with Last-Modified.
 */
function ifRangeHolds(ifRange: string | null, stored: Headers): boolean {
  if (ifRange === null) return true
  const validator = ifRange.trim()
  if (validator.startsWith('"') || validator.startsWith('W/')) {
    const etag = stored.get('etag')
    return etag !== null && !etag.startsWith('W/') && !validator.startsWith('W/') && etag === validator
  }
  const date = parseHttpDate(validator)
  return date !== undefined && date === parseHttpDate(stored.get('last-modified'))
}
