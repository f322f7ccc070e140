// A key's hash, for the index and the policy's frequency sketch: xxHash32 of the key's UTF-8 bytes with
// the engine's seed, exactly what Bun.hash.xxHash32(key, seed) returns. Each engine draws a random seed,
// so a client cannot compute keys that share one probe run of the index (docs/architecture.md, "The
// engine"). Computed in JS: from the string directly when it is ASCII (no encoding), and from a
// record's bytes when cleaning moves it. The native call converts the string to UTF-8 on every call
// and measured slower than this.

import { writeUtf8 } from './utf8'

const P1 = 0x9e3779b1 | 0
const P2 = 0x85ebca77 | 0
const P3 = 0xc2b2ae3d | 0
const P4 = 0x27d4eb2f | 0
const P5 = 0x165667b1 | 0
// The string and the byte forms below differ only in how they read a word: one loop each, since a
// reader passed as a function would cost a call per word.

/**
 * The UTF-8 length of the key hashKey hashed last: a write needs it too, and the hash knows it
 * (read it right after the call, before hashing another key).
 */
export let hashedKeyBytes = 0

let scratch = new Uint8Array(1024)

/** A random seed for an engine's hashes. */
export function randomHashSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!
}

export function hashKey(key: string, seed: number): number {
  const length = key.length
  let i = 0
  let h: number
  if (length >= 16) {
    let v1 = (seed + P1 + P2) | 0
    let v2 = (seed + P2) | 0
    let v3 = seed | 0
    let v4 = (seed - P1) | 0
    for (; i + 16 <= length; i += 16) {
      const w1 = wordAt(key, i)
      const w2 = wordAt(key, i + 4)
      const w3 = wordAt(key, i + 8)
      const w4 = wordAt(key, i + 12)
      if ((w1 | w2 | w3 | w4) < 0) return hashEncoded(key, seed)
      v1 = round(v1, w1)
      v2 = round(v2, w2)
      v3 = round(v3, w3)
      v4 = round(v4, w4)
    }
    h = merge(v1, v2, v3, v4)
  } else h = (seed + P5) | 0
  h = (h + length) | 0
  for (; i + 4 <= length; i += 4) {
    const word = wordAt(key, i)
    if (word < 0) return hashEncoded(key, seed)
    h = Math.imul(rotl((h + Math.imul(word, P3)) | 0, 17), P4)
  }
  for (; i < length; i++) {
    const code = key.charCodeAt(i)
    if (code >= 0x80) return hashEncoded(key, seed)
    h = Math.imul(rotl((h + Math.imul(code, P5)) | 0, 11), P1)
  }
  hashedKeyBytes = length
  return avalanche(h)
}

/** The hash of `length` bytes at `at` (a key in a record): equal to hashKey of the string they encode. */
export function hashKeyBytes(bytes: Uint8Array, at: number, length: number, seed: number): number {
  const end = at + length
  let i = at
  let h: number
  if (length >= 16) {
    let v1 = (seed + P1 + P2) | 0
    let v2 = (seed + P2) | 0
    let v3 = seed | 0
    let v4 = (seed - P1) | 0
    for (; i + 16 <= end; i += 16) {
      v1 = round(v1, readWord(bytes, i))
      v2 = round(v2, readWord(bytes, i + 4))
      v3 = round(v3, readWord(bytes, i + 8))
      v4 = round(v4, readWord(bytes, i + 12))
    }
    h = merge(v1, v2, v3, v4)
  } else h = (seed + P5) | 0
  h = (h + length) | 0
  for (; i + 4 <= end; i += 4) h = Math.imul(rotl((h + Math.imul(readWord(bytes, i), P3)) | 0, 17), P4)
  for (; i < end; i++) h = Math.imul(rotl((h + Math.imul(bytes[i]!, P5)) | 0, 11), P1)
  return avalanche(h)
}

/** A key with a non-ASCII character: encode it (a lone surrogate as U+FFFD, as Bun.hash does), then hash the bytes. */
function hashEncoded(key: string, seed: number): number {
  if (scratch.length < key.length * 3) scratch = new Uint8Array(key.length * 3)
  const length = writeUtf8(key, scratch, 0)
  hashedKeyBytes = length
  return hashKeyBytes(scratch, 0, length, seed)
}

/** Four ASCII characters as a little-endian word; negative when any of them is not ASCII. */
function wordAt(key: string, i: number): number {
  const a = key.charCodeAt(i)
  const b = key.charCodeAt(i + 1)
  const c = key.charCodeAt(i + 2)
  const d = key.charCodeAt(i + 3)
  if ((a | b | c | d) >= 0x80) return -1
  return a | (b << 8) | (c << 16) | (d << 24)
}

function readWord(bytes: Uint8Array, i: number): number {
  return bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)
}

function merge(v1: number, v2: number, v3: number, v4: number): number {
  return (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r))
}

function round(acc: number, input: number): number {
  return Math.imul(rotl((acc + Math.imul(input, P2)) | 0, 13), P1)
}

function avalanche(h: number): number {
  h = Math.imul(h ^ (h >>> 15), P2)
  h = Math.imul(h ^ (h >>> 13), P3)
  return h ^ (h >>> 16)
}
