import { FastcacheError } from './errors.js'

export interface ClientOptions {
  /** The server, e.g. `http://127.0.0.1:7070`. */
  baseUrl: string
  /** A bearer token (`--token SCOPE:SECRET` on the server), sent as `Authorization: Bearer <token>`. */
  token?: string
  /** How long one attempt may take before it is abandoned (default 5000 ms). */
  timeoutMs?: number
  /** Further attempts for calls that are safe to repeat (default 2): reads, plain PUTs and DELETEs. */
  retries?: number
  /** The first retry waits this long, each next one twice as long, with jitter (default 100 ms); a Retry-After wins when longer. */
  retryDelayMs?: number
  /** The fetch to use (default: the global one). */
  fetch?: (request: Request) => Promise<Response>
}

/** A request body (the DOM's BodyInit, named so that Bun's and Node's types accept it too). */
export type Body = NonNullable<RequestInit['body']>

export interface Call {
  method: string
  /** Already encoded, starting with '/'. */
  path: string
  query?: Record<string, string | undefined>
  headers?: Record<string, string | undefined>
  body?: Body | null
  /** Whether repeating the call cannot change its outcome: then it is retried. */
  idempotent: boolean
  /** This call's own time bound (a lease wait is longer than a plain read). */
  timeoutMs?: number
  signal?: AbortSignal
}

/** Answers worth another try: the server or a gateway in front of it was unavailable for a moment. */
const RETRYABLE = new Set([502, 503, 504])
const MAX_RETRY_AFTER_MS = 5000

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Sends calls: base URL, bearer token, a timeout per attempt, and retries for idempotent calls. */
export class Transport {
  private readonly baseUrl: string
  private readonly fetch: (request: Request) => Promise<Response>

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '')
    this.fetch = options.fetch ?? ((request) => globalThis.fetch(request))
  }

  url(path: string, query: Record<string, string | undefined> = {}): string {
    const params = Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined)
    // A flag is sent bare (?nx), as the server documents it.
    const search = params.map(([name, value]) => (value === '' ? name : `${name}=${encodeURIComponent(value)}`)).join('&')
    return `${this.baseUrl}${path}${search === '' ? '' : `?${search}`}`
  }

  /** The server's answer, whatever its status; throws a FastcacheError when none came (after the retries allowed). */
  async send(call: Call): Promise<Response> {
    const retries = call.idempotent ? (this.options.retries ?? 2) : 0
    const delay = this.options.retryDelayMs ?? 100
    for (let attempt = 0; ; attempt++) {
      let response: Response
      try {
        response = await this.attempt(call)
      } catch (error) {
        if (attempt >= retries || !(error instanceof FastcacheError) || call.signal?.aborted) throw error
        await sleep(delay * 2 ** attempt * (0.5 + Math.random()))
        continue
      }
      if (attempt >= retries || !RETRYABLE.has(response.status)) return response
      const retryAfter = Number(response.headers.get('retry-after')) * 1000
      await response.body?.cancel()
      const backoff = delay * 2 ** attempt * (0.5 + Math.random())
      await sleep(Math.min(MAX_RETRY_AFTER_MS, Math.max(backoff, Number.isFinite(retryAfter) ? retryAfter : 0)))
    }
  }

  private async attempt(call: Call): Promise<Response> {
    const timeoutMs = call.timeoutMs ?? this.options.timeoutMs ?? 5000
    const controller = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, timeoutMs)
    const stop = () => controller.abort()
    call.signal?.addEventListener('abort', stop)
    const headers = new Headers()
    for (const [name, value] of Object.entries(call.headers ?? {})) if (value !== undefined) headers.set(name, value)
    if (this.options.token !== undefined) headers.set('authorization', `Bearer ${this.options.token}`)
    const request = new Request(this.url(call.path, call.query), {
      method: call.method,
      headers,
      body: call.body ?? null,
      signal: controller.signal,
      // A value with a TTL comes with max-age: a browser would keep it and answer later reads itself,
      // missing overwrites and deletes (and answering a client without the token). Always ask the server.
      cache: 'no-store',
    })
    try {
      return await this.fetch(request)
    } catch (error) {
      if (call.signal?.aborted) throw error
      const what = `${call.method} ${call.path}`
      if (timedOut) throw new FastcacheError(0, 'TIMEOUT', `${what}: no answer within ${timeoutMs} ms`, undefined, { cause: error })
      throw new FastcacheError(0, 'NETWORK', `${what}: ${(error as Error)?.message ?? error}`, undefined, { cause: error })
    } finally {
      clearTimeout(timer)
      call.signal?.removeEventListener('abort', stop)
    }
  }
}
