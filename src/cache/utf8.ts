// Keys arrive as JS strings and live in the arena as UTF-8. These convert between the two without
// allocating: a lone surrogate is written as U+FFFD, exactly as TextEncoder and Bun.hash do, so a key's
// bytes in the arena hash to the same value as the string did.

const REPLACEMENT = 0xfffd

/** UTF-8 byte length of a string, without encoding it (a lone surrogate counts as U+FFFD, 3 bytes). */
export function utf8Length(text: string): number {
  let bytes = text.length
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) continue
    if (code < 0x800) bytes += 1
    else if (isPairAt(text, i, code)) {
      // A surrogate pair is two UTF-16 units and four UTF-8 bytes.
      bytes += 2
      i++
    } else bytes += 2
  }
  return bytes
}

/** Writes `text` as UTF-8 at `at`; returns the bytes written (utf8Length(text) of them). */
export function writeUtf8(text: string, bytes: Uint8Array, at: number): number {
  let n = at
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) bytes[n++] = code
    else if (code < 0x800) {
      bytes[n++] = 0xc0 | (code >> 6)
      bytes[n++] = 0x80 | (code & 0x3f)
    } else if (isPairAt(text, i, code)) {
      const point = 0x10000 + ((code - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00)
      bytes[n++] = 0xf0 | (point >> 18)
      bytes[n++] = 0x80 | ((point >> 12) & 0x3f)
      bytes[n++] = 0x80 | ((point >> 6) & 0x3f)
      bytes[n++] = 0x80 | (point & 0x3f)
    } else {
      const unit = code >= 0xd800 && code <= 0xdfff ? REPLACEMENT : code
      bytes[n++] = 0xe0 | (unit >> 12)
      bytes[n++] = 0x80 | ((unit >> 6) & 0x3f)
      bytes[n++] = 0x80 | (unit & 0x3f)
    }
  }
  return n - at
}

/** Whether `length` bytes at `at` are exactly `text` in UTF-8. */
export function equalsUtf8(text: string, bytes: Uint8Array, at: number, length: number): boolean {
  // Every UTF-16 unit is at least one byte: a longer string cannot match.
  if (text.length > length) return false
  const end = at + length
  let n = at
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) {
      if (bytes[n++] !== code) return false
      continue
    }
    if (code < 0x800) {
      if (bytes[n] !== (0xc0 | (code >> 6)) || bytes[n + 1] !== (0x80 | (code & 0x3f))) return false
      n += 2
    } else if (isPairAt(text, i, code)) {
      const point = 0x10000 + ((code - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00)
      if (bytes[n] !== (0xf0 | (point >> 18)) || bytes[n + 1] !== (0x80 | ((point >> 12) & 0x3f))) return false
      if (bytes[n + 2] !== (0x80 | ((point >> 6) & 0x3f)) || bytes[n + 3] !== (0x80 | (point & 0x3f))) return false
      n += 4
    } else {
      const unit = code >= 0xd800 && code <= 0xdfff ? REPLACEMENT : code
      if (bytes[n] !== (0xe0 | (unit >> 12)) || bytes[n + 1] !== (0x80 | ((unit >> 6) & 0x3f))) return false
      if (bytes[n + 2] !== (0x80 | (unit & 0x3f))) return false
      n += 3
    }
    if (n > end) return false
  }
  return n === end
}

/** Whether `length` bytes at `at` start with all of `prefix`. */
export function startsWithBytes(bytes: Uint8Array, at: number, length: number, prefix: Uint8Array): boolean {
  if (prefix.length > length) return false
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false
  return true
}

/** A high surrogate at `i` followed by a low one: one code point above U+FFFF. */
function isPairAt(text: string, i: number, code: number): boolean {
  if (code < 0xd800 || code > 0xdbff || i + 1 >= text.length) return false
  const next = text.charCodeAt(i + 1)
  return next >= 0xdc00 && next <= 0xdfff
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true })

/** Whether `length` bytes at `at` are valid UTF-8 (keys in the arena always are; bytes read from a file may not be). */
export function isUtf8(bytes: Uint8Array, at: number, length: number): boolean {
  let i = 0
  while (i < length && bytes[at + i]! < 0x80) i++
  if (i === length) return true
  try {
    strictDecoder.decode(bytes.subarray(at + i, at + length))
    return true
  } catch {
    return false
  }
}
