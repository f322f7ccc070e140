import { emptyRawEntry } from '../cache'
import { checkBlock } from './entry-block'
import { Op, RECORD_HEADER_BYTES, TypeNames, decodePayload, framedLength, readFrame, readSet } from './format'

// What --recover reads around damage with: whether a record can be applied, and where the next one starts.

const scratchEntry = emptyRawEntry()
const scratchTypes = new TypeNames()

/** What is wrong with an intact record's payload (`file[start, end)`), or null when it can be applied. */
export function checkPayload(file: Uint8Array, start: number, end: number): string | null {
  const op = file[start]
  if (op === Op.Set) return readSet(file, start, end, scratchEntry, scratchTypes)
  if (op === Op.Entries) {
    const block = checkBlock(file, start, end)
    return typeof block === 'string' ? block : null
  }
  try {
    decodePayload(file.subarray(start, end))
    return null
  } catch (error) {
    return (error as Error).message
  }
}

/**
 * Where the next intact record after damage at `offset` starts, or the file's length when none
 * does. When the record's length agrees with its inverse, only its payload is damaged: it alone is
 * skipped, provided something sane follows it. Otherwise the first offset after it where a whole
 * record checks out (length, inverse, CRC, a payload that can be applied) is taken.
 */
export function resync(file: Uint8Array, offset: number): number {
  const intact = (at: number) => {
    const read = readFrame(file, at)
    return read.kind === 'record' && checkPayload(file, read.start, read.end) === null
  }
  const length = framedLength(file, offset)
  if (length >= 0) {
    const end = offset + RECORD_HEADER_BYTES + length
    if (end > offset + RECORD_HEADER_BYTES && end <= file.byteLength) {
      const next = readFrame(file, end)
      if (next.kind !== 'corrupt' && (next.kind !== 'record' || checkPayload(file, next.start, next.end) === null)) return end
    }
  }
  for (let at = offset + 1; at + RECORD_HEADER_BYTES <= file.byteLength; at++) {
    if (framedLength(file, at) >= 0 && intact(at)) return at
  }
  return file.byteLength
}
