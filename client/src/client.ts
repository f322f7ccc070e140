import { type CacheAsideOptions, cached } from './cache-aside.js'
import { errorOf, FastcacheError } from './errors.js'
import { type Body, type Call, type ClientOptions, Transport } from './transport.js'
import type {
  BatchOperation,
  BatchReply,
  Duration,
  Health,
  IncrReply,
  KeyPage,
  MetaReply,
  PurgeRequest,
  Readiness,
  Snapshot,
  Stats,
  WriteReply,
} from './types.js'
import type { LeasedRead, PutOptions, Stored, Value } from './values.js'

const decoder = new TextDecoder()
const key = (name: string) => encodeURIComponent(name)
const versionOf = (response: Response) => Number(response.headers.get('etag')?.replace(/^W\//, '').replaceAll('"', ''))
const flag = (on: boolean | undefined) => (on ? '' : undefined)
const duration = (value: Duration | undefined) => (value === undefined ? undefined : String(value))

function body(value: Value, contentType: string | undefined): { body: Body; contentType: string } {
  if (typeof value === 'string') return { body: value, contentType: contentType ?? 'text/plain; charset=utf-8' }
  if (value instanceof Uint8Array || value instanceof ArrayBuffer || (typeof Blob !== 'undefined' && value instanceof Blob))
    return { body: value as Body, contentType: contentType ?? 'application/octet-stream' }
  return { body: JSON.stringify(value), contentType: contentType ?? 'application/json' }
}

async function stored(response: Response): Promise<Stored> {
  const bytes = new Uint8Array(await response.arrayBuffer())
  return {
    bytes,
    contentType: response.headers.get('content-type') ?? 'application/octet-stream',
    version: versionOf(response),
    stale: response.headers.get('cache-status')?.includes('ttl=-') ?? false,
    text: () => decoder.decode(bytes),
    json: <T>() => JSON.parse(decoder.decode(bytes)) as T,
  }
}

/**
 * fastcache's HTTP API as methods: every route, typed by the server's own schemas. Reads, plain
 * PUTs and DELETEs are retried when no answer came or the server was unavailable (502/503/504);
 * conditional writes, counters, batches and leases are not, since a repeat could change their outcome.
 */
export class FastcacheClient {
  private readonly transport: Transport

  constructor(options: ClientOptions) {
    this.transport = new Transport(options)
  }

  /** Sends a call and reads its answer: the JSON body of an expected status, or undefined for an accepted miss. */
  private async json<T>(call: Call, ok: number[], missing: number[] = []): Promise<T | undefined> {
    const response = await this.transport.send(call)
    if (missing.includes(response.status)) {
      await response.body?.cancel()
      return undefined
    }
    if (!ok.includes(response.status)) throw await errorOf(response, `${call.method} ${call.path}`)
    return (await response.json()) as T
  }

  private async required<T>(call: Call, ok: number[] = [200]): Promise<T> {
    return (await this.json<T>(call, ok)) as T
  }

  /** Stores a value (201 created or 200 replaced); a condition that does not hold throws PRECONDITION_FAILED. */
  put(name: string, value: Value, options: PutOptions = {}): Promise<WriteReply> {
    const { body: data, contentType } = body(value, options.contentType)
    const conditional = options.nx || options.xx || options.ifVersion !== undefined || options.lease !== undefined
    return this.required(
      {
        method: 'PUT',
        path: `/v1/kv/${key(name)}`,
        query: {
          ttl: duration(options.ttl),
          stale: duration(options.stale),
          nx: flag(options.nx),
          xx: flag(options.xx),
          keepttl: flag(options.keepTtl),
          lease: options.lease,
        },
        headers: { 'content-type': contentType, 'if-match': options.ifVersion === undefined ? undefined : `"${options.ifVersion}"` },
        body: data,
        idempotent: !conditional,
        signal: options.signal,
      },
      [200, 201],
    )
  }

  /** The stored value, or undefined when there is none. */
  async get(name: string, options: { signal?: AbortSignal } = {}): Promise<Stored | undefined> {
    const response = await this.transport.send({ method: 'GET', path: `/v1/kv/${key(name)}`, idempotent: true, signal: options.signal })
    if (response.status === 404) {
      const error = await errorOf(response, `GET /v1/kv/${name}`)
      if (error.code === 'KEY_NOT_FOUND') return undefined
      throw error
    }
    if (response.status !== 200) throw await errorOf(response, `GET /v1/kv/${name}`)
    return stored(response)
  }

  /** A stored JSON value, or undefined. */
  async getJson<T = unknown>(name: string): Promise<T | undefined> {
    return (await this.get(name))?.json<T>()
  }

  /** A stored text value, or undefined. */
  async getText(name: string): Promise<string | undefined> {
    return (await this.get(name))?.text()
  }

  /** The entry's metadata (version, size, type, times), or undefined. */
  meta(name: string): Promise<MetaReply | undefined> {
    return this.json({ method: 'GET', path: `/v1/kv/${key(name)}`, query: { meta: '' }, idempotent: true }, [200], [404])
  }

  /** Version, type and size without the value (HEAD), or undefined. */
  async head(name: string): Promise<{ version: number; contentType: string; size: number } | undefined> {
    const response = await this.transport.send({ method: 'HEAD', path: `/v1/kv/${key(name)}`, idempotent: true })
    if (response.status === 404) return undefined
    if (response.status !== 200) throw await errorOf(response, `HEAD /v1/kv/${name}`)
    return {
      version: versionOf(response),
      contentType: response.headers.get('content-type') ?? 'application/octet-stream',
      size: Number(response.headers.get('content-length')),
    }
  }

  /**
   * A read that takes a lease on a miss (or on a stale value): the value, and/or a lease token for
   * this caller to fill the key. Other callers wait (up to the lease or `wait`) for the holder's write.
   */
  async getWithLease(name: string, options: { lease: Duration; wait?: Duration; timeoutMs?: number }): Promise<LeasedRead> {
    const response = await this.transport.send({
      method: 'GET',
      path: `/v1/kv/${key(name)}`,
      query: { lease: String(options.lease), wait: duration(options.wait) },
      // A repeat could take a second lease, or wait on this caller's own: not retried.
      idempotent: false,
      timeoutMs: options.timeoutMs,
    })
    const lease = response.headers.get('lease') ?? undefined
    if (response.status === 200) return { value: await stored(response), lease }
    if (response.status === 404) {
      const error = await errorOf(response, `GET /v1/kv/${name}`)
      if (error.code === 'KEY_NOT_FOUND') return { lease }
      throw error
    }
    throw await errorOf(response, `GET /v1/kv/${name}`)
  }

  /** Deletes the key: true when it was there. With ifVersion, only that version (else PRECONDITION_FAILED). */
  async delete(name: string, options: { ifVersion?: number } = {}): Promise<boolean> {
    const response = await this.transport.send({
      method: 'DELETE',
      path: `/v1/kv/${key(name)}`,
      headers: { 'if-match': options.ifVersion === undefined ? undefined : `"${options.ifVersion}"` },
      idempotent: options.ifVersion === undefined,
    })
    if (response.status === 204) return true
    const error = await errorOf(response, `DELETE /v1/kv/${name}`)
    if (error.code === 'KEY_NOT_FOUND') return false
    throw error
  }

  /** Adds `by` (default 1) to an integer value; an absent key starts from 0 and takes `ttl`. */
  incr(name: string, options: { by?: number; ttl?: Duration } = {}): Promise<IncrReply> {
    const request = { by: options.by, ttl: options.ttl }
    return this.required(
      {
        method: 'POST',
        path: `/v1/incr/${key(name)}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
        idempotent: false,
      },
      [200, 201],
    )
  }

  /** Sets the TTL from now (null removes it); undefined when the key is absent. */
  touch(name: string, ttl: Duration | null): Promise<WriteReply | undefined> {
    return this.json(
      {
        method: 'POST',
        path: `/v1/touch/${key(name)}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ttl }),
        idempotent: false,
      },
      [200],
      [404],
    )
  }

  /** Runs the operations in order as one unit; each result has its own status. */
  batch(ops: BatchOperation[]): Promise<BatchReply> {
    return this.required({
      method: 'POST',
      path: '/v1/batch',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ops }),
      idempotent: false,
    })
  }

  /** One page of keys; follow `cursor` until it is null. */
  keys(options: { prefix?: string; limit?: number; cursor?: string } = {}): Promise<KeyPage> {
    const query = { prefix: options.prefix, limit: options.limit?.toString(), cursor: options.cursor }
    return this.required({ method: 'GET', path: '/v1/keys', query, idempotent: true })
  }

  /** Every key (with this prefix), page after page. */
  async *scan(prefix?: string, pageSize = 100): AsyncGenerator<string> {
    let cursor: string | undefined
    do {
      const page = await this.keys({ prefix, limit: pageSize, cursor })
      yield* page.keys
      cursor = page.cursor ?? undefined
    } while (cursor !== undefined)
  }

  /** Deletes every key with the prefix; returns how many. */
  async deletePrefix(prefix: string): Promise<number> {
    const reply = await this.required<{ deleted: number }>({ method: 'DELETE', path: '/v1/keys', query: { prefix }, idempotent: true })
    return reply.deleted
  }

  /** Deletes every key and stored proxy response (admin); returns how many keys. */
  async flush(): Promise<number> {
    const reply = await this.required<{ deleted: number }>({ method: 'DELETE', path: '/v1/keys', query: { all: 'true' }, idempotent: true })
    return reply.deleted
  }

  /** A request through the read-through proxy: `/proxy/{upstream}/{path}`, the path's slashes kept. */
  proxy(upstream: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: Body } = {}) {
    const method = init.method ?? 'GET'
    return this.transport.send({
      method,
      path: `/proxy/${key(upstream)}/${path.replace(/^\/+/, '')}`,
      headers: init.headers,
      body: init.body,
      idempotent: method === 'GET' || method === 'HEAD',
    })
  }

  /** Purges stored proxy responses by URL, URL prefix or tag (admin); returns how many. */
  async purge(what: PurgeRequest): Promise<number> {
    const reply = await this.required<{ purged: number }>({
      method: 'DELETE',
      path: '/v1/proxy/cache',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(what),
      idempotent: true,
    })
    return reply.purged
  }

  /** Takes a snapshot now (admin; the server needs --data-dir). */
  snapshot(): Promise<Snapshot> {
    return this.required({ method: 'POST', path: '/v1/admin/snapshot', idempotent: false })
  }

  /** The cache's counters (admin, unless --public-metrics). */
  stats(): Promise<Stats> {
    return this.required({ method: 'GET', path: '/v1/stats', idempotent: true })
  }

  /** Prometheus metrics as text (admin, unless --public-metrics). */
  async metrics(): Promise<string> {
    const response = await this.transport.send({ method: 'GET', path: '/metrics', idempotent: true })
    if (response.status !== 200) throw await errorOf(response, 'GET /metrics')
    return response.text()
  }

  /** Liveness. */
  health(): Promise<Health> {
    return this.required({ method: 'GET', path: '/health', idempotent: true })
  }

  /** Readiness: `starting` (with what it waits for) until the data is loaded and Redis reached. */
  ready(): Promise<Readiness> {
    return this.required({ method: 'GET', path: '/health/ready', idempotent: false }, [200, 503])
  }

  /** The server's OpenAPI document (admin, unless --public-metrics). */
  openapi(): Promise<Record<string, unknown>> {
    return this.required({ method: 'GET', path: '/openapi/json', idempotent: true })
  }

  /** Cache-aside with leases and soft expiry: see cached(). */
  cached<T>(name: string, compute: () => Promise<T>, options: CacheAsideOptions<T> = {}): Promise<T> {
    return cached(this, name, compute, options)
  }
}

export { FastcacheError }
