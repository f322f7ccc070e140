import type { UpstreamConfig } from '../../config/schema'
import { appendCacheStatus, formatCacheStatus, type CacheStatus, type Forward } from '../../http/cache-status'
import { errorResponse } from '../../http/errors'
import type { Logger } from '../../log/logger'
import { guardedBody } from './client-body'
import type { ProxyCounters } from './counters'
import { declaredLength, endToEndResponseHeaders, NULL_BODY_STATUSES, upstreamRequestHeaders } from './headers'
import { readStreamUpTo } from '../../http/body'
import type { Target } from './target'

/** Conditional and range request fields: the proxy fetches whole responses for its store and answers these itself. */
const CONDITIONALS = ['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range', 'range']

/** Hears of a successful write's answer before the client does; may answer the client itself. */
export type Succeeded = (response: Response) => Promise<Response | undefined>

/**
 * The proxy's side of talking to upstreams: which request fields go, the request itself (bounded by
 * the upstream's timeout), and what comes back as the client gets it: uncached answers passed
 * through, bodies guarded, failures as 502 or 504.
 */
export class Forwarding {
  constructor(
    private readonly counters: ProxyCounters,
    private readonly logger: Logger,
    /** With fastcache's own tokens on, Authorization carries them: never forwarded, and not the upstream's. */
    private readonly ownsAuthorization: boolean,
  ) {}

  /** Whether the request carries an Authorization meant for the upstream. */
  carriesUpstreamAuthorization(request: Request): boolean {
    return !this.ownsAuthorization && request.headers.has('authorization')
  }

  /** The request's fields as the upstream gets them (see `upstreamRequestHeaders`). */
  requestHeaders(request: Request, upstream: UpstreamConfig): Headers {
    const headers = upstreamRequestHeaders(request.headers, upstream.forwardHeaders)
    // Our own bearer token must never reach an upstream.
    if (this.ownsAuthorization) headers.delete('authorization')
    return headers
  }

  /** The fields of a GET made for the cache: whole responses, for everyone. */
  cacheFillHeaders(request: Request, upstream: UpstreamConfig): Headers {
    const headers = this.requestHeaders(request, upstream)
    for (const name of CONDITIONALS) headers.delete(name)
    // No client's cookie goes with it (one only gets here with ignoreCookies).
    headers.delete('cookie')
    return headers
  }

  /** Sends a request upstream; it fails with a TimeoutError past the upstream's timeout. */
  send(url: string, upstream: UpstreamConfig, method: string, headers: Headers, body: ReadableStream | null): Promise<Response> {
    return fetch(url, {
      method,
      headers,
      body,
      // Redirects go back to the client; bodies stay as the upstream encoded them.
      redirect: 'manual',
      decompress: false,
      signal: AbortSignal.timeout(upstream.timeoutMs),
    } as RequestInit)
  }

  /** A read the cache stays out of: sent upstream as it came (a HEAD as HEAD), its answer passed back, nothing stored. */
  bypass(request: Request, target: Target): Promise<Response> {
    return this.passThrough(request, target, request.method === 'HEAD' ? 'HEAD' : 'GET', null, 'bypass')
  }

  /**
   * Any other method, sent as it came. `succeeded` hears of an answer below 400 before the client
   * does, and may answer the client itself (a response it stores); otherwise the answer is relayed.
   */
  write(request: Request, target: Target, succeeded: Succeeded): Promise<Response> {
    return this.passThrough(request, target, request.method, request.body, 'method', succeeded)
  }

  /**
   * The upstream's answer for the client, unstored: its end-to-end fields and our Cache-Status, and
   * its Content-Length kept. Bun's server frames any body still streaming in by chunks, so a body of
   * known length within the upstream's maxBodySize is read whole first and sent with its length (a
   * failure in its middle then rejects, before the client has anything); a longer one is streamed.
   */
  async relay(response: Response, target: Target, status: CacheStatus, endToEnd = endToEndResponseHeaders(response.headers)) {
    const headers = new Headers(endToEnd)
    appendCacheStatus(headers, status)
    const length = declaredLength(response.headers)
    if (response.body === null || NULL_BODY_STATUSES.has(response.status)) {
      // A HEAD's Content-Length describes the body a GET would get: passed on as it came.
      if (length !== undefined) headers.set('content-length', String(length))
      return new Response(null, { status: response.status, headers })
    }
    if (length === undefined || length > target.upstream.maxBodyBytes) return this.toClient(response.status, response.body, headers, target)
    return new Response(await readStreamUpTo(response.body, length), { status: response.status, headers })
  }

  /** A response with an upstream body (none for statuses without one); a failure in its middle is counted and logged as one line. */
  toClient(status: number, body: ReadableStream<Uint8Array> | null, headers: Headers, target: Target): Response {
    const guarded =
      body === null || NULL_BODY_STATUSES.has(status)
        ? null
        : guardedBody(body, (error) => {
            this.counters.of(target.upstream.name).upstreamErrors++
            this.logger.warn('upstream failed during the body', { upstream: target.upstream.name, url: target.url, error: String(error) })
          })
    return new Response(guarded, { status, headers })
  }

  /** 504 for a timeout, 502 for anything else; logged unless `collapsed` (the request waited on logged it). */
  failure(error: unknown, target: Target, status: { fwd: Forward; collapsed?: boolean }): Response {
    const { upstream } = target
    const timedOut = (error as Error)?.name === 'TimeoutError'
    if (!status.collapsed) {
      const fields = { upstream: upstream.name, url: target.url, error: String(error) }
      this.logger.warn(timedOut ? 'upstream timed out' : 'upstream unreachable', fields)
    }
    const headers = { 'cache-status': formatCacheStatus({ ...status, detail: timedOut ? 'upstream-timeout' : 'upstream-unavailable' }) }
    return timedOut
      ? errorResponse(504, 'UPSTREAM_TIMEOUT', `the upstream "${upstream.name}" did not answer within ${upstream.timeoutMs} ms`, headers)
      : errorResponse(502, 'UPSTREAM_UNAVAILABLE', `the upstream "${upstream.name}" could not be reached`, headers)
  }

  private async passThrough(
    request: Request,
    target: Target,
    method: string,
    body: ReadableStream | null,
    fwd: 'bypass' | 'method',
    succeeded?: Succeeded,
  ): Promise<Response> {
    const headers = this.requestHeaders(request, target.upstream)
    // Read outside the try: a path that leaves the upstream is the client's 400, not an upstream failure.
    const url = target.url
    try {
      const response = await this.send(url, target.upstream, method, headers, body)
      const answer = response.status < 400 ? await succeeded?.(response) : undefined
      return answer ?? (await this.relay(response, target, { fwd }))
    } catch (error) {
      this.counters.of(target.upstream.name).upstreamErrors++
      return this.failure(error, target, { fwd })
    }
  }
}
