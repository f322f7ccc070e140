/**
 * One entry as bytes and numbers, for moving many entries without making a string or an Entry for each
 * (snapshots): the key's UTF-8 bytes and the value's bytes are read where they lie, in an arena segment
 * when the engine dumps them, in a file's buffer when it loads them. One object is refilled for every
 * entry; what it points at is valid only during the call that hands it over.
 */
export interface RawEntry {
  keyBytes: Uint8Array
  keyStart: number
  keyLength: number
  valueBytes: Uint8Array
  valueStart: number
  valueLength: number
  contentType: string
  version: number
  createdAt: number
  /** Epoch milliseconds; 0 for none. */
  expiresAt: number
  /** Epoch milliseconds; 0 for none (no soft expiry). */
  staleAt: number
}

const NO_BYTES = new Uint8Array(0)

export function emptyRawEntry(): RawEntry {
  return {
    keyBytes: NO_BYTES,
    keyStart: 0,
    keyLength: 0,
    valueBytes: NO_BYTES,
    valueStart: 0,
    valueLength: 0,
    contentType: '',
    version: 0,
    createdAt: 0,
    expiresAt: 0,
    staleAt: 0,
  }
}

/** Below this many bytes a loop copies faster than a native call. */
const LOOP_COPY_BYTES = 48
// Buffer's copy takes offsets, so no view has to be made for the source (an object per copy, and
// measured slower than the copy itself at these sizes). It works on any Uint8Array.
const nativeCopy = Buffer.prototype.copy as (
  this: Uint8Array,
  target: Uint8Array,
  targetStart: number,
  sourceStart: number,
  sourceEnd: number,
) => number

/** Copies `length` bytes from `from` at `fromStart` to `to` at `toStart`. */
export function copyBytes(from: Uint8Array, fromStart: number, to: Uint8Array, toStart: number, length: number): void {
  if (length < LOOP_COPY_BYTES) {
    for (let i = 0; i < length; i++) to[toStart + i] = from[fromStart + i]!
  } else nativeCopy.call(from, to, toStart, fromStart, fromStart + length)
}
