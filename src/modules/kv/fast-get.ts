import type { FastPath } from '../../http/fast-path'
import { plainKey } from '../../http/key'
import type { KeyValues } from '../../store'
import { get } from './service'

/**
 * The hottest request, `GET /v1/kv/{key}` without a query string, answered before Elysia routes it.
 * Same service call and same response as the route; anything unusual (a query, a bad key) is left
 * to the route, errors included.
 */
export function kvFastGet(store: KeyValues, maxKeyBytes: number): FastPath {
  return {
    method: 'GET',
    prefix: '/v1/kv/',
    answer(request, rest) {
      const key = plainKey(rest, maxKeyBytes)
      if (key === undefined) return undefined
      // Synchronous from the local engine or a near-cache hit; a promise only when Redis is asked.
      return get(store, key, false, request.headers.get('if-none-match'))
    },
  }
}
