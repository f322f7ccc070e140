import { Elysia } from 'elysia'
import type { CacheEngine } from '../../cache'
import { badRequest } from '../../http/errors'
import { RESERVED_KEY_PREFIX } from '../../http/key'
import { otherMethods } from '../../http/method-not-allowed'
import { jsonResponse } from '../../http/respond'
import type { SharedStore } from '../../tier/shared-store'
import { unavailableForWrites } from '../../http/store-unavailable'
import { DeleteQuery, DeletedReply, ListQuery, ListReply } from './model'

const DEFAULT_LIMIT = 100
const CURSOR = /^[0-9]{1,15}$/

/** Internal entries (proxy responses) are not keys: a prefix cannot reach them and listings leave them out. */
function checkPrefix(prefix: string | undefined): void {
  if (prefix?.startsWith(RESERVED_KEY_PREFIX)) throw badRequest('INVALID_KEY', 'the prefix contains a control character')
}
const isInternal = (key: string) => key.startsWith(RESERVED_KEY_PREFIX)

/** With a shared tier, the cursor names a primary and its SCAN cursor. */
const SHARED_CURSOR = /^[0-9]{1,4}\.[0-9]{1,20}$/

/** Key listing with resumable cursors, prefix deletes and flush; on the shared tier, across every Redis primary. */
export function keysModule(engine: CacheEngine, shared?: SharedStore) {
  return new Elysia({ name: 'keys' })
    .get(
      '/v1/keys',
      async ({ query }) => {
        if (query.cursor !== undefined && !(shared === undefined ? CURSOR : SHARED_CURSOR).test(query.cursor)) {
          throw badRequest('INVALID_CURSOR', 'cursor must come from a previous page')
        }
        checkPrefix(query.prefix)
        const limit = query.limit ?? DEFAULT_LIMIT
        if (shared !== undefined) {
          try {
            const page = await shared.scan(query.prefix ?? '', limit, query.cursor)
            return jsonResponse(200, { keys: page.keys, cursor: page.next })
          } catch (error) {
            return unavailableForWrites(error)
          }
        }
        const page = engine.scan(query.prefix ?? '', limit, query.cursor === undefined ? 0 : Number(query.cursor))
        return jsonResponse(200, { keys: page.keys.filter((key) => !isInternal(key)), cursor: page.next === null ? null : String(page.next) })
      },
      {
        query: ListQuery,
        response: { 200: ListReply },
        detail: {
          summary: 'List keys',
          description: 'No promised order. Follow cursor until null: every key that exists for the whole scan is returned. A page may be short or empty before the end.',
        },
      },
    )
    .delete(
      '/v1/keys',
      async ({ query }) => {
        if ((query.prefix === undefined) === (query.all === undefined)) {
          throw badRequest('INVALID_REQUEST', 'give exactly one of prefix=<non-empty> or all=true')
        }
        checkPrefix(query.prefix)
        if (shared !== undefined) {
          try {
            return jsonResponse(200, { deleted: await shared.deletePrefix(query.all ? '' : query.prefix!) })
          } catch (error) {
            return unavailableForWrites(error)
          }
        }
        const deleted = query.all ? engine.flush() : engine.deletePrefix(query.prefix!)
        return jsonResponse(200, { deleted })
      },
      { query: DeleteQuery, response: { 200: DeletedReply }, detail: { summary: 'Delete every key with a prefix, or all keys' } },
    )
    .use(otherMethods('/v1/keys', ['GET', 'HEAD', 'DELETE']))
}
