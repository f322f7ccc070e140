import type { CacheEngine, DeleteResult, Entry, IncrResult, SetResult } from '../../cache'
import type { SharedStore } from '../../tier/shared-store'
import { HttpError, badRequest } from '../../http/errors'
import { checkKey } from '../../http/key'
import { JSON_TYPE, isJsonType } from '../../http/media-type'
import { isoOrNull } from '../../http/respond'
import { parseTtlMs } from '../../http/ttl'
import type { BatchOp } from './model'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export type Prepared =
  | { op: 'get' | 'del'; key: string }
  | { op: 'incr'; key: string; by: number }
  | { op: 'set'; key: string; bytes: Uint8Array; ttlMs?: number; nx: boolean; xx: boolean; keepTtl: boolean }

export interface BatchLimits {
  maxKeyBytes: number
  maxValueBytes: number
}

/**
 * Checks every operation before any runs, so a bad key, TTL or value rejects the whole batch (400 or 413)
 * and changes nothing.
 */
export function prepare(ops: BatchOp[], limits: BatchLimits, engine: CacheEngine): Prepared[] {
  return ops.map((op, i) => {
    const at = (message: string) => `ops[${i}]: ${message}`
    let key: string
    try {
      key = checkKey(op.key, limits.maxKeyBytes)
    } catch (error) {
      throw badRequest('INVALID_KEY', at((error as Error).message))
    }
    if (op.op === 'get' || op.op === 'del') return { op: op.op, key }
    if (op.op === 'incr') return { op: 'incr', key, by: op.by ?? 1 }
    if (op.nx && op.xx) throw badRequest('CONFLICTING_CONDITIONS', at('nx and xx cannot be combined'))
    let ttlMs: number | undefined
    try {
      ttlMs = op.ttl === undefined ? undefined : parseTtlMs(op.ttl)
    } catch (error) {
      throw badRequest('INVALID_TTL', at((error as Error).message))
    }
    const bytes = encoder.encode(JSON.stringify(op.value))
    if (bytes.byteLength > limits.maxValueBytes) {
      throw new HttpError(413, 'PAYLOAD_TOO_LARGE', at(`the value is ${bytes.byteLength} bytes; the limit is ${limits.maxValueBytes}`))
    }
    if (engine.chargeOf(key, bytes.byteLength) > engine.maxBytes) {
      throw new HttpError(413, 'ENTRY_TOO_LARGE', at('the entry is larger than the whole cache bound'))
    }
    return { op: 'set', key, bytes, ttlMs, nx: !!op.nx, xx: !!op.xx, keepTtl: !!op.keepttl }
  })
}

/** One operation's reply, the same whichever store ran it. */
const formatResult = {
  get(key: string, entry: Entry | undefined): string {
    if (entry === undefined) return JSON.stringify({ key, status: 404 })
    if (isJsonType(entry.contentType)) {
      const head = JSON.stringify({ key, status: 200, version: entry.version })
      return `${head.slice(0, -1)},"value":${decoder.decode(entry.value)}}`
    }
    return JSON.stringify({
      key,
      status: 200,
      version: entry.version,
      value: Buffer.from(entry.value.buffer, entry.value.byteOffset, entry.value.byteLength).toString('base64'),
      encoding: 'base64',
      contentType: entry.contentType,
    })
  },
  set(key: string, result: SetResult): string {
    if (result.status === 'created' || result.status === 'replaced') {
      return JSON.stringify({ key, status: result.status === 'created' ? 201 : 200, version: result.version, expiresAt: isoOrNull(result.expiresAt) })
    }
    return JSON.stringify({ key, status: 412, error: 'PRECONDITION_FAILED' })
  },
  del(key: string, result: DeleteResult): string {
    return JSON.stringify({ key, status: result === 'deleted' ? 204 : 404 })
  },
  incr(key: string, result: IncrResult): string {
    if (result.status === 'created' || result.status === 'updated') {
      return JSON.stringify({ key, status: result.status === 'created' ? 201 : 200, value: result.value, version: result.version })
    }
    if (result.status === 'too-large') return JSON.stringify({ key, status: 413, error: 'ENTRY_TOO_LARGE' })
    return JSON.stringify({ key, status: 409, error: result.status === 'not-integer' ? 'NOT_AN_INTEGER' : 'OUT_OF_RANGE' })
  },
}

/**
 * Runs prepared operations in order. The engine is synchronous, so nothing interleaves with the batch.
 * Returns the reply as JSON text: stored JSON values are spliced in as they are, never re-serialized.
 */
export function run(engine: CacheEngine, prepared: Prepared[]): string {
  const parts = prepared.map((op) => {
    const { key } = op
    switch (op.op) {
      case 'get':
        return formatResult.get(key, engine.get(key))
      case 'set':
        return formatResult.set(key, engine.set(key, op.bytes, JSON_TYPE, { ttlMs: op.ttlMs, nx: op.nx, xx: op.xx, keepTtl: op.keepTtl }))
      case 'del':
        return formatResult.del(key, engine.delete(key))
      case 'incr':
        return formatResult.incr(key, engine.incr(key, op.by))
    }
  })
  return `{"results":[${parts.join(',')}]}`
}

/**
 * The same on the shared tier: one Redis transaction when Redis allows it (always on a standalone
 * Redis; on a Cluster when every key is in one slot, as hash tags {...} arrange), else the
 * operations run one after another; `atomic` says which.
 */
export async function runShared(shared: SharedStore, prepared: Prepared[]): Promise<string> {
  const { results, atomic } = await shared.batch(prepared.map((op) => (op.op === 'set' ? { ...op, contentType: JSON_TYPE } : op)))
  const parts = results.map((result, i) => {
    const key = prepared[i]!.key
    switch (result.op) {
      case 'get':
        return formatResult.get(key, result.entry)
      case 'set':
        return formatResult.set(key, result.result)
      case 'del':
        return formatResult.del(key, result.result)
      case 'incr':
        return formatResult.incr(key, result.result)
    }
  })
  return `{"atomic":${atomic},"results":[${parts.join(',')}]}`
}
