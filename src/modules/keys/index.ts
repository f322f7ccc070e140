import { Elysia } from 'elysia'
import type { CacheEngine } from '../../cache'
import { badRequest } from '../../http/errors'
import { RESERVED_KEY_PREFIX } from '../../http/key'
import { otherMethods } from '../../http/method-not-allowed'
import { jsonResponse } from '../../http/respond'
import { DeleteQuery, DeletedReply, ListQuery, ListReply } from './model'

const DEFAULT_LIMIT = 100
const CURSOR = /^[0-9]{1,15}$/

/** Internal entries (proxy responses) are not keys: a prefix cannot reach them and listings leave them out. */
function checkPrefix(prefix: string | undefined): void {
  if (prefix?.startsWith(RESERVED_KEY_PREFIX)) throw badRequest('INVALID_KEY', 'the prefix contains a control character')
}
const isInternal = (key: string) => key.startsWith(RESERVED_KEY_PREFIX)

/** Key listing with resumable cursors, prefix deletes and flush. */
export function keysModule(engine: CacheEngine) {
  return new Elysia({ name: 'keys' })
    .get(
      '/v1/keys',
      ({ query }) => {
        if (query.cursor !== undefined && !CURSOR.test(query.cursor)) throw badRequest('INVALID_CURSOR', 'cursor must come from a previous page')
        checkPrefix(query.prefix)
        const page = engine.scan(query.prefix ?? '', query.limit ?? DEFAULT_LIMIT, query.cursor === undefined ? 0 : Number(query.cursor))
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
      ({ query }) => {
        if ((query.prefix === undefined) === (query.all === undefined)) {
          throw badRequest('INVALID_REQUEST', 'give exactly one of prefix=<non-empty> or all=true')
        }
        checkPrefix(query.prefix)
        const deleted = query.all ? engine.flush() : engine.deletePrefix(query.prefix!)
        return jsonResponse(200, { deleted })
      },
      { query: DeleteQuery, response: { 200: DeletedReply }, detail: { summary: 'Delete every key with a prefix, or all keys' } },
    )
    .use(otherMethods('/v1/keys', ['GET', 'HEAD', 'DELETE']))
}
