import type { ErrorCode } from './types.js'

/** Why a call failed without an answer from the server. */
export type TransportFailure = 'TIMEOUT' | 'NETWORK'

/**
 * A call that failed: the server's error (its status and stable `code`), or no answer at all
 * (status 0, code TIMEOUT or NETWORK). `retryAfterMs` is the server's Retry-After, when it sent one.
 */
export class FastcacheError extends Error {
  override readonly name = 'FastcacheError'

  constructor(
    readonly status: number,
    readonly code: ErrorCode | TransportFailure | 'UNEXPECTED',
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** The error a reply carries (our error shape), or an UNEXPECTED one for a reply without it. */
export async function errorOf(response: Response, what: string): Promise<FastcacheError> {
  const retryAfter = Number(response.headers.get('retry-after'))
  const retryAfterMs = Number.isFinite(retryAfter) && response.headers.has('retry-after') ? retryAfter * 1000 : undefined
  const text = await response.text().catch(() => '')
  try {
    const { error } = JSON.parse(text) as { error: { code: ErrorCode; message: string } }
    if (typeof error?.code === 'string') return new FastcacheError(response.status, error.code, `${what}: ${error.message}`, retryAfterMs)
  } catch {}
  return new FastcacheError(response.status, 'UNEXPECTED', `${what}: status ${response.status} ${text.slice(0, 200)}`, retryAfterMs)
}
