import type { KeyValues } from '../../store'
import { keyFromPath } from '../../http/key'
import { pathStart } from '../../http/url'
import { get } from './service'

const PREFIX = '/v1/kv/'

/**
 * The hottest request, `GET /v1/kv/{key}` without a query string, answered before Elysia routes it.
 * Same service call and same response as the route; anything unusual (a query, a bad key) returns
 * undefined so the route answers it, errors included.
 */
export function kvFastGet(store: KeyValues, maxKeyBytes: number) {
  return (request: Request): Response | Promise<Response> | undefined => {
    if (request.method !== 'GET') return undefined
    const url = request.url
    const path = pathStart(url)
    if (!url.startsWith(PREFIX, path) || url.indexOf('?', path) !== -1) return undefined
    let key: string
    try {
      key = keyFromPath(url.slice(path + PREFIX.length), maxKeyBytes)
    } catch {
      return undefined
    }
    // Synchronous from the local engine or a near-cache hit; a promise only when Redis is asked.
    return get(store, key, false, request.headers.get('if-none-match'))
  }
}
