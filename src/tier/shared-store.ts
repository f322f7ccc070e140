import { maskUrl } from '../config/mask'
import type { CacheEngine } from '../cache'
import type { Logger } from '../log/logger'
import { StoreUnavailable, type BatchOutcome, type BatchStep, type BatchStepResult, type KeyPage, type Store } from '../store'
import type { DeleteResult, Entry, IncrResult, SetOptions, SetResult, StoreCounters } from '../store'
import { TIER_COUNTER_HELP, type TierCounters } from './counters'
import { decodeNearEntry, encodeNearEntry, NEAR_TYPE, type NearMeta } from './near-entry'
import { VersionMemo } from '../cache/version-memo'
import type { Cluster } from 'ioredis'
import type { RedisLike } from './redis-connection'
import { DELETE, GET, INCR, SET, TOUCH } from './scripts'
import { SharedLeases } from './shared-leases'

export const INVALIDATION_CHANNEL = 'fastcache:invalidate'

type Reply = [Buffer, Buffer, Buffer, Buffer, Buffer, number]
type SetReply = [number, string?, string?, string?]
type IncrReply = [number, string?, string?, string?]

interface Scripted {
  /** ioredis adds a *Buffer variant of each script: binary-safe replies. */
  fcGetBuffer(key: string): Promise<Reply | null>
  fcSet(key: string, ...args: (string | Buffer)[]): Promise<SetReply>
  fcDel(key: string, ifVersion: string): Promise<number>
  fcIncr(key: string, by: string, ttl: string, defaultTtl: string): Promise<IncrReply>
  fcTouchBuffer(key: string, ttl: string): Promise<Reply | null>
}

type Pipeline = { [name: string]: (...args: unknown[]) => Pipeline } & { exec(): Promise<[Error | null, unknown][] | null> }

const SCRIPTS = { fcGet: GET, fcSet: SET, fcDel: DELETE, fcIncr: INCR, fcTouch: TOUCH }
const nullIfZero = (n: number) => (n === 0 ? null : n)
const orEmpty = (n: number | undefined | null) => (n === undefined || n === null ? '' : String(n))
/** A listing's cursor names a primary and its SCAN cursor, "2.1536". */
const CURSOR = /^[0-9]{1,4}\.[0-9]{1,20}$/

export interface SharedStoreOptions {
  nearCacheTtlMs: number
  defaultTtlMs: number | null
  /** The instance's engine: its bound and charges decide what is too large, the same with or without a tier. */
  sizing: Pick<CacheEngine, 'maxBytes' | 'chargeOf'>
}

/**
 * The shared tier: entries live in Redis (which expires them), each instance keeps recent reads in a
 * near cache (its own engine, entries at most --near-cache-ttl old), and every write is acknowledged
 * only after Redis acknowledged it, then published so the other instances drop their near copies.
 * Leases are Redis keys too (SharedLeases), so one holder exists across the tier.
 */
export class SharedStore implements Store {
  private readonly counts: TierCounters = {
    nearHits: 0,
    redisHits: 0,
    misses: 0,
    redisErrors: 0,
    invalidationsSent: 0,
    invalidationsReceived: 0,
  }
  readonly counters: StoreCounters = { values: this.counts, help: TIER_COUNTER_HELP }
  readonly leases: SharedLeases
  private readonly scripted: Scripted
  private readonly instanceId = crypto.randomUUID()
  /** Decoded metadata of the near copies, by the near engine's version of each. */
  private readonly nearDecoded = new VersionMemo<NearMeta>()
  private readonly changeListeners: ((key: string) => void)[] = []

  constructor(
    private readonly redis: RedisLike,
    private readonly subscriber: RedisLike,
    /** Undefined when the near cache is off (--near-cache-ttl 0). */
    private readonly near: CacheEngine | undefined,
    private readonly options: SharedStoreOptions,
    private readonly logger: Logger,
  ) {
    for (const [name, lua] of Object.entries(SCRIPTS)) redis.defineCommand(name, { numberOfKeys: 1, lua })
    this.scripted = redis as unknown as Scripted
    this.listenForInvalidations()
    this.leases = new SharedLeases(this)
  }

  get maxBytes(): number {
    return this.options.sizing.maxBytes
  }

  chargeOf(key: string, valueBytes: number): number {
    return this.options.sizing.chargeOf(key, valueBytes)
  }

  now(): number {
    return Date.now()
  }

  /** Redis's entry, skipping the near cache and the counters: what a conditional write compares with. */
  async peek(key: string): Promise<Entry | undefined> {
    const reply = await this.call(() => this.scripted.fcGetBuffer(key))
    return reply === null ? undefined : entryFrom(key, reply)
  }

  /** Tells `listener` of every key written or deleted, here or (through invalidations) on another instance. */
  onChange(listener: (key: string) => void): void {
    this.changeListeners.push(listener)
  }

  /** Runs a raw command against the tier, with the same error handling (for shared leases). */
  command<T>(run: (redis: RedisLike) => Promise<T>): Promise<T> {
    return this.call(() => run(this.redis))
  }

  /** Resolves true once Redis is connected, or false after `ms` (then the instance starts degraded and keeps trying). */
  ready(ms: number): Promise<boolean> {
    if (this.available) return Promise.resolve(true)
    return new Promise((resolve) => {
      const done = (connected: boolean) => {
        clearTimeout(timer)
        this.redis.off('ready', onReady)
        resolve(connected)
      }
      const onReady = () => done(true)
      const timer = setTimeout(() => done(false), ms)
      this.redis.once('ready', onReady)
    })
  }

  /** Whether Redis is connected now (for /health). */
  get available(): boolean {
    return this.redis.status === 'ready'
  }

  private listenForInvalidations(): void {
    // While the subscription is down invalidations may be missed: the near cache is emptied when it
    // drops and once more when it is back.
    const forgetAll = (why: string) => {
      if (this.near === undefined || this.near.stats().items === 0) return
      this.near.flush()
      this.logger.info('near cache emptied', { why })
    }
    this.subscriber.on('ready', () => {
      forgetAll('invalidation subscription (re)established')
      this.subscriber
        .subscribe(INVALIDATION_CHANNEL)
        .catch((error: unknown) => this.logger.warn('cannot subscribe to invalidations', { error: String(error) }))
    })
    this.subscriber.on('close', () => forgetAll('invalidation subscription lost'))
    // Reconnection is automatic and the status shows in /health: a lost and a restored connection
    // are logged once each, every failed attempt only at debug.
    this.subscriber.on('error', () => {})
    let lost = false
    this.redis.on('error', (error: Error) => this.logger.debug('Redis error', { error: maskUrl(String(error)) }))
    this.redis.on('close', () => {
      if (lost) return
      lost = true
      this.logger.warn('Redis connection lost; serving degraded (near cache, 503 for writes) until it is back')
    })
    this.redis.on('ready', () => {
      if (!lost) return
      lost = false
      this.logger.info('Redis connection restored')
    })
    this.subscriber.on('message', (_channel: string, message: string) => {
      const parsed = parseInvalidation(message)
      // Anyone can publish on the channel: a message that is not ours is ignored, never thrown.
      if (parsed === undefined) return
      const [from, key, kind] = parsed
      if (from === this.instanceId) return
      this.counts.invalidationsReceived++
      if (kind !== 'prefix') {
        this.near?.delete(key)
        for (const listener of this.changeListeners) listener(key)
      } else if (key === '') this.near?.flush()
      else this.near?.deletePrefix(key)
    })
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command()
    } catch (error) {
      this.counts.redisErrors++
      throw new StoreUnavailable(String((error as Error)?.message ?? error))
    }
  }

  private remember(entry: Entry): void {
    if (this.near === undefined) return
    const left = entry.expiresAt === null ? Infinity : entry.expiresAt - Date.now()
    const ttlMs = Math.min(this.options.nearCacheTtlMs, left)
    if (ttlMs >= 1) this.near.set(entry.key, encodeNearEntry(entry), NEAR_TYPE, { ttlMs })
  }

  /** Drops the key's near copies here and on every instance, and tells the change listeners (shared leases' waiters) everywhere. */
  announce(key: string): void {
    this.near?.delete(key)
    for (const listener of this.changeListeners) listener(key)
    this.counts.invalidationsSent++
    this.redis.publish(INVALIDATION_CHANNEL, JSON.stringify([this.instanceId, key])).catch(() => {
      // A lost invalidation heals within --near-cache-ttl.
    })
  }

  /** The near copy when there is one (at once, no promise), else Redis's entry (kept near), else undefined. */
  get(key: string): Entry | undefined | Promise<Entry | undefined> {
    const near = this.near?.get(key)
    if (near !== undefined) {
      this.counts.nearHits++
      return decodeNearEntry(key, near.value, near.version, this.nearDecoded)
    }
    return this.fetch(key)
  }

  private async fetch(key: string): Promise<Entry | undefined> {
    const reply = await this.call(() => this.scripted.fcGetBuffer(key))
    if (reply === null) {
      this.counts.misses++
      return undefined
    }
    this.counts.redisHits++
    const entry = entryFrom(key, reply)
    this.remember(entry)
    return entry
  }

  private setArguments(value: Uint8Array, contentType: string, options: SetOptions): (string | Buffer)[] {
    return [
      Buffer.from(value.buffer, value.byteOffset, value.byteLength),
      contentType,
      options.nx ? '1' : '',
      options.xx ? '1' : '',
      orEmpty(options.ifVersion),
      orEmpty(options.ttlMs),
      options.keepTtl ? '1' : '',
      orEmpty(options.staleMs),
      orEmpty(this.options.defaultTtlMs),
    ]
  }

  async set(key: string, value: Uint8Array, contentType: string, options: SetOptions): Promise<SetResult> {
    return this.setResult(key, await this.call(() => this.scripted.fcSet(key, ...this.setArguments(value, contentType, options))))
  }

  private setResult(key: string, reply: SetReply): SetResult {
    if (reply[0] === 0) return { status: 'condition-failed' }
    this.announce(key)
    return {
      status: reply[0] === 1 ? 'created' : 'replaced',
      version: Number(reply[1]),
      expiresAt: nullIfZero(Number(reply[2])),
      staleAt: nullIfZero(Number(reply[3])),
    }
  }

  async delete(key: string, conditions: { ifVersion?: number }): Promise<DeleteResult> {
    return this.deleteResult(key, await this.call(() => this.scripted.fcDel(key, orEmpty(conditions.ifVersion))))
  }

  private deleteResult(key: string, reply: number): DeleteResult {
    if (reply === -1) return 'condition-failed'
    if (reply === 0) return 'absent'
    this.announce(key)
    return 'deleted'
  }

  async incr(key: string, by: number, ttlMs: number | undefined): Promise<IncrResult> {
    return this.incrResult(
      key,
      await this.call(() => this.scripted.fcIncr(key, String(by), orEmpty(ttlMs), orEmpty(this.options.defaultTtlMs))),
    )
  }

  private incrResult(key: string, reply: IncrReply): IncrResult {
    if (reply[0] === -1) return { status: 'not-integer' }
    if (reply[0] === -2) return { status: 'out-of-range' }
    this.announce(key)
    return { status: reply[0] === 1 ? 'created' : 'updated', value: Number(reply[1]), version: Number(reply[2]) }
  }

  async touch(key: string, ttlMs: number | null): Promise<Entry | undefined> {
    const reply = await this.call(() => this.scripted.fcTouchBuffer(key, ttlMs === null ? '' : String(ttlMs)))
    if (reply === null) return undefined
    this.announce(key)
    return entryFrom(key, reply)
  }

  /**
   * Runs a batch as one Redis transaction (MULTI/EXEC: no other client's command interleaves) when
   * Redis allows it: always on a standalone Redis, on a Cluster only when every key hashes to one
   * slot. Otherwise the steps run one after another, and `atomic` is false.
   */
  async batch(steps: BatchStep[]): Promise<BatchOutcome> {
    let replies: [Error | null, unknown][] | null
    try {
      const multi = this.redis.multi() as unknown as Pipeline
      for (const step of steps) this.queue(multi, step)
      replies = await this.call(() => multi.exec())
    } catch (error) {
      if (!crossSlot(error)) throw error
      const results: BatchStepResult[] = []
      for (const step of steps) results.push(await this.runStep(step))
      return { results, atomic: false }
    }
    if (replies === null) throw new StoreUnavailable('the transaction was aborted')
    const results = steps.map((step, i) => {
      const [error, reply] = replies[i]!
      if (error !== null) throw new StoreUnavailable(error.message)
      return this.stepResult(step, reply)
    })
    return { results, atomic: true }
  }

  private queue(multi: Pipeline, step: BatchStep): void {
    const { key } = step
    if (step.op === 'get') multi.fcGetBuffer!(key)
    else if (step.op === 'del') multi.fcDel!(key, '')
    else if (step.op === 'incr') multi.fcIncr!(key, String(step.by), '', orEmpty(this.options.defaultTtlMs))
    else multi.fcSet!(key, ...this.setArguments(step.bytes, step.contentType, step))
  }

  private async runStep(step: BatchStep): Promise<BatchStepResult> {
    if (step.op === 'get') return { op: 'get', entry: await this.peek(step.key) }
    if (step.op === 'del') return { op: 'del', result: await this.delete(step.key, {}) }
    if (step.op === 'incr') return { op: 'incr', result: await this.incr(step.key, step.by, undefined) }
    return { op: 'set', result: await this.set(step.key, step.bytes, step.contentType, step) }
  }

  /** Reads one transaction reply the way the single-key methods read theirs. */
  private stepResult(step: BatchStep, reply: unknown): BatchStepResult {
    if (step.op === 'get') return { op: 'get', entry: reply === null ? undefined : entryFrom(step.key, reply as Reply) }
    if (step.op === 'del') return { op: 'del', result: this.deleteResult(step.key, reply as number) }
    if (step.op === 'incr') return { op: 'incr', result: this.incrResult(step.key, reply as IncrReply) }
    return { op: 'set', result: this.setResult(step.key, reply as SetReply) }
  }

  /** The primaries holding the data: the one Redis, or every master of the Cluster. */
  private primaries(): RedisLike[] {
    // Only a Cluster has nodes(); checked by shape so this module never loads the client library itself.
    return 'nodes' in this.redis ? (this.redis as Cluster).nodes('master') : [this.redis]
  }

  /**
   * One page of keys starting with `prefix`: Redis's SCAN on each primary in turn (only hashes,
   * which is what entries are). The cursor names the primary and its SCAN cursor, "2.1536".
   * A key that exists for the whole walk is returned; SCAN may return one more than once.
   */
  isCursor(text: string): boolean {
    return CURSOR.test(text)
  }

  async scan(prefix: string, limit: number, cursor: string | undefined): Promise<KeyPage> {
    const primaries = this.primaries()
    let [node, position] = cursor === undefined ? [0, '0'] : cursor.split('.')
    let index = Number(node)
    if (index >= primaries.length) return { keys: [], next: null }
    const [nextPosition, keys] = await this.call(() =>
      primaries[index]!.scan(position!, 'MATCH', globPrefix(prefix), 'COUNT', limit, 'TYPE', 'hash'),
    )
    position = nextPosition
    if (position === '0') {
      index++
      position = '0'
    }
    return { keys, next: index >= primaries.length ? null : `${index}.${position}` }
  }

  /** Deletes every entry whose key starts with `prefix` ('' for all), on every primary; tells the other instances. */
  async deletePrefix(prefix: string): Promise<number> {
    let deleted = 0
    for (const primary of this.primaries()) {
      let position = '0'
      do {
        const [next, keys] = await this.call(() => primary.scan(position, 'MATCH', globPrefix(prefix), 'COUNT', 1000, 'TYPE', 'hash'))
        position = next
        // One key per command: on a Cluster the keys of one primary may still be in different slots.
        if (keys.length > 0)
          deleted += (await this.call(() => Promise.all(keys.map((key) => primary.unlink(key))))).reduce((sum, n) => sum + n, 0)
      } while (position !== '0')
    }
    if (prefix === '') this.near?.flush()
    else this.near?.deletePrefix(prefix)
    this.counts.invalidationsSent++
    this.redis.publish(INVALIDATION_CHANNEL, JSON.stringify([this.instanceId, prefix, 'prefix'])).catch(() => {})
    return deleted
  }

  flush(): Promise<number> {
    return this.deletePrefix('')
  }

  async close(): Promise<void> {
    this.subscriber.disconnect()
    this.redis.disconnect()
  }
}

function parseInvalidation(message: string): [string, string, 'prefix'?] | undefined {
  try {
    const parsed: unknown = JSON.parse(message)
    if (
      Array.isArray(parsed) &&
      typeof parsed[0] === 'string' &&
      typeof parsed[1] === 'string' &&
      (parsed[2] === undefined || parsed[2] === 'prefix')
    ) {
      return parsed as [string, string, 'prefix'?]
    }
  } catch {
    // not JSON
  }
  return undefined
}

/** A SCAN MATCH pattern for keys starting with `prefix`: glob characters in it are escaped. */
function globPrefix(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`
}

/** ioredis refuses a Cluster transaction whose keys are in several slots (or Redis does, CROSSSLOT). */
function crossSlot(error: unknown): boolean {
  const message = error instanceof StoreUnavailable ? error.message : String((error as Error)?.message ?? error)
  return /CROSSSLOT|same slot/i.test(message)
}

function entryFrom(key: string, [value, type, version, createdAt, staleAt, pttl]: Reply): Entry {
  return {
    key,
    value: new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
    contentType: type.toString(),
    version: Number(version.toString()),
    createdAt: Number(createdAt.toString()),
    expiresAt: pttl > 0 ? Date.now() + pttl : null,
    staleAt: nullIfZero(Number(staleAt.toString())),
  }
}
