import type { Config } from '../config/schema'
import { errorResponse } from './errors'

/** What Bun refuses with 431 itself, before any JS runs; tighter settings are checked here. */
const RUNTIME_MAX_HEADERS = 198
const RUNTIME_MAX_HEADER_BYTES = 16 * 1024

/**
 * Header count and size limits tighter than the runtime's own. At the defaults the runtime already
 * enforces them and this returns no check at all, so the common case costs nothing per request.
 */
export function headerLimits(
  config: Pick<Config, 'maxHeaders' | 'maxHeaderBytes'>,
): ((request: Request) => Response | undefined) | undefined {
  if (config.maxHeaders >= RUNTIME_MAX_HEADERS && config.maxHeaderBytes >= RUNTIME_MAX_HEADER_BYTES) return undefined
  return (request) => {
    let count = 0
    let bytes = 0
    for (const [name, value] of request.headers) {
      count++
      bytes += name.length + value.length + 4 // ": " and CRLF, as on the wire
    }
    if (count <= config.maxHeaders && bytes <= config.maxHeaderBytes) return undefined
    return errorResponse(
      431,
      'HEADERS_TOO_LARGE',
      `at most ${config.maxHeaders} header fields and ${config.maxHeaderBytes} bytes of them are accepted`,
    )
  }
}

/**
 * Bounds the requests in flight. Bun.serve has no hook at connection accept, so the bound applies
 * to requests being handled (one per HTTP/1.1 connection at a time); idle connections are bounded
 * by --read-timeout instead. Over the bound: 503 with Retry-After, at once.
 */
export class InFlight {
  private current = 0

  constructor(private readonly max: number) {}

  /** Handles the request when under the bound, or answers 503. */
  run(handle: (request: Request) => Response | Promise<Response>, request: Request): Response | Promise<Response> {
    if (this.current >= this.max) {
      return errorResponse(503, 'OVERLOADED', `more than ${this.max} requests in flight; try again shortly`, { 'retry-after': '1' })
    }
    this.current++
    let result: Response | Promise<Response>
    try {
      result = handle(request)
    } catch (error) {
      this.current--
      throw error
    }
    if (!(result instanceof Promise)) {
      this.current--
      return result
    }
    return result.finally(() => this.current--)
  }

  get size(): number {
    return this.current
  }
}
