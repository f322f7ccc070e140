import { StoreUnavailable } from '../store/unavailable'
import { HttpError } from './errors'

/** A write (or listing) the store could not make: 503, and the client may retry. Other errors pass on. */
export function unavailableForWrites(error: unknown): never {
  if (error instanceof StoreUnavailable) {
    throw new HttpError(503, 'REDIS_UNAVAILABLE', `the shared tier (Redis) is unavailable: ${error.message}`, { 'retry-after': '1' })
  }
  throw error
}
