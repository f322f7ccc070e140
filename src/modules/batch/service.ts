import { HttpError, badRequest } from '../../http/errors'
import { checkKey } from '../../http/key'
import { JSON_TYPE, isJsonType } from '../../http/media-type'
import { isoOrNull } from '../../http/respond'
import { parseTtlMs } from '../../http/ttl'
import type { BatchOutcome, BatchStep, BatchStepResult, DeleteResult, Entry, IncrResult, SetResult, Store } from '../../store'
import type { BatchOp } from './model'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export interface BatchLimits {
  maxKeyBytes: number
  maxValueBytes: number
}

/**
 * Checks every operation before any runs, so a bad key, TTL or value rejects the whole batch (400 or 413)
 * and changes nothing.
 */
export function prepare(ops: BatchOp[], limits: BatchLimits, store: Pick<Store, 'chargeOf' | 'maxBytes'>): BatchStep[] {
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
    if (store.chargeOf(key, bytes.byteLength) > store.maxBytes) {
      throw new HttpError(413, 'ENTRY_TOO_LARGE', at('the entry is larger than the whole cache bound'))
    }
    return { op: 'set', key, bytes, contentType: JSON_TYPE, ttlMs, nx: !!op.nx, xx: !!op.xx, keepTtl: !!op.keepttl }
  })
}

/** One operation's reply, the same whichever store ran it. */
const format = {
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
      return JSON.stringify({
        key,
        status: result.status === 'created' ? 201 : 200,
        version: result.version,
        expiresAt: isoOrNull(result.expiresAt),
      })
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
 * The reply to a batch as JSON text: stored JSON values are spliced in as they are, never
 * re-serialized. `atomic` is said only when the store said it (a batch on the shared tier).
 */
export function replyText(steps: BatchStep[], outcome: BatchOutcome): string {
  const parts = outcome.results.map((result, i) => formatResult(steps[i]!.key, result))
  const atomic = outcome.atomic === undefined ? '' : `"atomic":${outcome.atomic},`
  return `{${atomic}"results":[${parts.join(',')}]}`
}

function formatResult(key: string, result: BatchStepResult): string {
  switch (result.op) {
    case 'get':
      return format.get(key, result.entry)
    case 'set':
      return format.set(key, result.result)
    case 'del':
      return format.del(key, result.result)
    case 'incr':
      return format.incr(key, result.result)
  }
}
