import { responseForError } from '../../http/error-handler'
import type { FastPath } from '../../http/fast-path'
import { plainKey } from '../../http/key'
import type { Logger } from '../../log/logger'
import type { Store } from '../../store'
import { NO_PUT_QUERY, putRequest } from './put-request'
import { put } from './service'

/**
 * `PUT /v1/kv/{key}` without a query string, answered before Elysia routes it: the route's own reading
 * of the request and service call, without Elysia's routing, context and query validation (a write's
 * largest cost after the runtime's). A query or a bad key is left to the route, errors included; once
 * the body is read, errors get the route's shape here.
 */
export function kvFastPut(store: Store, maxKeyBytes: number, maxValueBytes: number, logger: Logger): FastPath {
  const fail = (error: unknown) => responseForError(error, logger)
  const answer = async (request: Request, key: string) =>
    put(store, store.leases, await putRequest(request, key, NO_PUT_QUERY, maxValueBytes))
  return {
    method: 'PUT',
    prefix: '/v1/kv/',
    answer(request, rest) {
      const key = plainKey(rest, maxKeyBytes)
      if (key === undefined) return undefined
      return answer(request, key).catch(fail)
    },
  }
}
