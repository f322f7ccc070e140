/**
 * Readers for the three trace formats of bench/traces (see its README). Each returns raw keys
 * (and sizes, for the CSV format); buildTrace turns them into dense ids.
 */
import { basename } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { buildTrace, type Trace } from './trace'

export type TraceFormat = 'lirs' | 'cache2k' | 'csv'
export const FORMATS: readonly TraceFormat[] = ['lirs', 'cache2k', 'csv']

export interface RawTrace {
  keys: Float64Array
  /** Object size in bytes per request; only the CSV format has sizes. */
  sizes?: Float64Array
}

/** LIRS text: one integer key per line; anything else (a `*` marker, a blank line) is skipped. */
export function readLirs(bytes: Uint8Array): RawTrace {
  const text = new TextDecoder().decode(bytes)
  const keys: number[] = []
  for (const line of text.split('\n')) {
    const token = line.trim()
    if (/^-?\d+$/.test(token)) keys.push(Number(token))
  }
  return { keys: Float64Array.from(keys) }
}

/** cache2k binary: big-endian signed 32-bit integers, one per request. */
export function readCache2k(bytes: Uint8Array): RawTrace {
  if (bytes.byteLength % 4 !== 0) throw new Error(`cache2k trace length ${bytes.byteLength} is not a multiple of 4`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const keys = new Float64Array(bytes.byteLength / 4)
  for (let i = 0; i < keys.length; i++) keys[i] = view.getInt32(i * 4, false)
  return { keys }
}

/** CSV with a header naming `size` and `lbn` columns (libCacheSim's sample): key lbn, size in bytes. */
export function readCsv(bytes: Uint8Array): RawTrace {
  const lines = new TextDecoder().decode(bytes).split('\n')
  const header = (lines[0] ?? '').trim().split(',')
  const keyColumn = header.indexOf('lbn')
  const sizeColumn = header.indexOf('size')
  if (keyColumn < 0 || sizeColumn < 0) throw new Error(`CSV header needs 'lbn' and 'size' columns, got: ${lines[0]}`)
  const keys: number[] = []
  const sizes: number[] = []
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === '') continue
    const fields = line.split(',')
    const key = Number(fields[keyColumn])
    const size = Number(fields[sizeColumn])
    if (!Number.isSafeInteger(key) || !Number.isSafeInteger(size) || size < 0) throw new Error(`CSV line ${i + 1} is malformed: ${line}`)
    keys.push(key)
    sizes.push(size)
  }
  return { keys: Float64Array.from(keys), sizes: Float64Array.from(sizes) }
}

const READERS: Record<TraceFormat, (bytes: Uint8Array) => RawTrace> = { lirs: readLirs, cache2k: readCache2k, csv: readCsv }

/**
 * The format a trace file's name suggests: `*.csv[.gz]` is CSV, `cache2k-*.trace[.gz]` (or `*.bin`)
 * is cache2k binary, other `*.trace[.gz]` is LIRS text. Anything else (README, licence) is not a trace.
 */
export function formatOf(path: string): TraceFormat | undefined {
  const name = basename(path).replace(/\.gz$/, '')
  if (name.endsWith('.csv')) return 'csv'
  if (name.endsWith('.bin') || (name.endsWith('.trace') && name.startsWith('cache2k'))) return 'cache2k'
  if (name.endsWith('.trace')) return 'lirs'
  return undefined
}

/** `lirs-gli.trace.gz` → `lirs-gli`. */
export function traceName(path: string): string {
  return basename(path)
    .replace(/\.gz$/, '')
    .replace(/\.(trace|csv|bin)$/, '')
}

/** Reads a trace file (gunzipping `*.gz`) in the given format. */
export async function readTraceFile(path: string, format: TraceFormat): Promise<Trace> {
  let bytes: Uint8Array = await Bun.file(path).bytes()
  if (path.endsWith('.gz')) bytes = gunzipSync(bytes)
  const raw = READERS[format](bytes)
  return buildTrace(traceName(path), raw.keys, raw.sizes)
}
