// A key's hash, for the index and the policy's frequency sketch: FNV-1a over the key's UTF-8 bytes with
// murmur3's finaliser, so the low bits (the index's home position) and the high bits (the sketch's
// sampling) both depend on every byte. Defined over bytes so that a record moved in the arena hashes
// to the same value from its bytes as its key did from the string; computed from the string without
// encoding it (a lone surrogate counts as U+FFFD, as in utf8.ts). In JS because a native hash call
// converts the string to UTF-8 first, which measured slower than this loop for keys of usual length.

const OFFSET_BASIS = 0x811c9dc5
const PRIME = 0x01000193

/**
 * The UTF-8 length of the key hashKey hashed last: the hash walks the bytes anyway, and a write needs
 * both (read it right after the call, before hashing another key).
 */
export let hashedKeyBytes = 0

export function hashKey(key: string): number {
  let h = OFFSET_BASIS
  let bytes = key.length
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i)
    if (code < 0x80) {
      h = Math.imul(h ^ code, PRIME)
      continue
    }
    if (code < 0x800) {
      h = Math.imul(h ^ (0xc0 | (code >> 6)), PRIME)
      h = Math.imul(h ^ (0x80 | (code & 0x3f)), PRIME)
      bytes += 1
      continue
    }
    let point = code
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = i + 1 < key.length ? key.charCodeAt(i + 1) : 0
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        point = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00)
        i++
        bytes += 2
        h = Math.imul(h ^ (0xf0 | (point >> 18)), PRIME)
        h = Math.imul(h ^ (0x80 | ((point >> 12) & 0x3f)), PRIME)
        h = Math.imul(h ^ (0x80 | ((point >> 6) & 0x3f)), PRIME)
        h = Math.imul(h ^ (0x80 | (point & 0x3f)), PRIME)
        continue
      }
      point = 0xfffd
    }
    h = Math.imul(h ^ (0xe0 | (point >> 12)), PRIME)
    h = Math.imul(h ^ (0x80 | ((point >> 6) & 0x3f)), PRIME)
    h = Math.imul(h ^ (0x80 | (point & 0x3f)), PRIME)
    bytes += 2
  }
  hashedKeyBytes = bytes
  return finish(h)
}

/** The hash of `length` UTF-8 bytes at `at`: equal to hashKey of the string they encode. */
export function hashKeyBytes(bytes: Uint8Array, at: number, length: number): number {
  let h = OFFSET_BASIS
  for (let i = at; i < at + length; i++) h = Math.imul(h ^ bytes[i]!, PRIME)
  return finish(h)
}

function finish(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) | 0
}
