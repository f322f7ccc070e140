import { utf8Length } from '../cache/utf8'
import { badRequest } from './errors'

/**
 * Internal entries (proxy responses) have keys starting with this control character: checkKey
 * rejects control characters, so no client key can collide with them or reach them.
 */
export const RESERVED_KEY_PREFIX = '\u0001'

// C0 controls and DEL.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f]/

/**
 * Checks a key: 1 to maxKeyBytes bytes of well-formed UTF-8 with no control characters.
 * Shared by every route that takes a key, whether from the path or from a JSON body.
 */
export function checkKey(key: string, maxKeyBytes: number): string {
  if (key.length === 0) throw badRequest('INVALID_KEY', 'the key is empty')
  if (!key.isWellFormed()) throw badRequest('INVALID_KEY', 'the key is not valid UTF-8')
  if (CONTROL.test(key)) throw badRequest('INVALID_KEY', 'the key contains a control character')
  const bytes = utf8Length(key)
  if (bytes > maxKeyBytes) throw badRequest('INVALID_KEY', `the key is ${bytes} bytes; the limit is ${maxKeyBytes}`)
  return key
}

/** Decodes a key from the raw (still percent-encoded) rest of a path, then checks it. */
export function keyFromPath(rawPath: string, maxKeyBytes: number): string {
  // Without a '%' the path is already the key, and a URL path holds only printable ASCII:
  // nothing to decode, no UTF-8 or control character to check, one byte per character.
  if (!rawPath.includes('%') && rawPath.length > 0 && rawPath.length <= maxKeyBytes) return rawPath
  let key: string
  try {
    key = decodeURIComponent(rawPath)
  } catch {
    throw badRequest('INVALID_KEY', 'the key has invalid percent-encoding')
  }
  return checkKey(key, maxKeyBytes)
}

/**
 * The key a fast path may serve: that of a rest of path without a query string, or undefined to
 * leave the request to its route (which answers a query or a bad key, errors included).
 */
export function plainKey(rest: string, maxKeyBytes: number): string | undefined {
  if (rest.includes('?')) return undefined
  try {
    return keyFromPath(rest, maxKeyBytes)
  } catch {
    return undefined
  }
}
