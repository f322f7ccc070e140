import { Elysia } from 'elysia'
import { badRequest } from '../../http/errors'
import { RESERVED_KEY_PREFIX } from '../../http/key'
import { otherMethods } from '../../http/method-not-allowed'
import { jsonResponse } from '../../http/respond'
import { unavailableForWrites } from '../../http/store-unavailable'
import { then, type KeyPage, type Store } from '../../store'
import { DeleteQuery, DeletedReply, ListQuery, ListReply } from './model'
import { access } from '../../access/rules'
import { failures, reply } from '../../http/openapi/declare'

const DEFAULT_LIMIT = 100

/** Internal entries (proxy responses) are not keys: a prefix cannot reach them and listings leave them out. */
function checkPrefix(prefix: string | undefined): void {
  if (prefix?.startsWith(RESERVED_KEY_PREFIX)) throw badRequest('INVALID_KEY', 'the prefix contains a control character')
}
const isInternal = (key: string) => key.startsWith(RESERVED_KEY_PREFIX)

/** Key listing with resumable cursors (each store has its own form of cursor), prefix deletes and flush. */
export function keysModule(store: Store) {
  return new Elysia({ name: 'keys' })
    .get(
      '/v1/keys',
      async ({ query }) => {
        if (query.cursor !== undefined && !store.isCursor(query.cursor)) {
          throw badRequest('INVALID_CURSOR', 'cursor must come from a previous page')
        }
        checkPrefix(query.prefix)
        const page = store.scan(query.prefix ?? '', query.limit ?? DEFAULT_LIMIT, query.cursor)
        const respond = ({ keys, next }: KeyPage) => jsonResponse(200, { keys: keys.filter((key) => !isInternal(key)), cursor: next })
        return then(page, respond, unavailableForWrites)
      },
      {
        query: ListQuery,
        response: {
          200: reply(ListReply, 'a page of keys'),
          ...failures({ 400: ['INVALID_REQUEST', 'INVALID_CURSOR', 'INVALID_KEY'], 503: ['REDIS_UNAVAILABLE'] }),
        },
        detail: {
          summary: 'List keys',
          operationId: 'listKeys',
          tags: ['keys'],
          ...access('read'),
          description:
            'No promised order. Follow cursor until null: every key that exists for the whole scan is returned. A page may be short or empty before the end.',
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
        const deleted = query.all ? store.flush() : store.deletePrefix(query.prefix!)
        return then(deleted, (count) => jsonResponse(200, { deleted: count }), unavailableForWrites)
      },
      {
        query: DeleteQuery,
        response: {
          200: reply(DeletedReply, 'how many keys were deleted'),
          ...failures({ 400: ['INVALID_REQUEST', 'INVALID_KEY'], 503: ['REDIS_UNAVAILABLE'] }),
        },
        detail: {
          summary: 'Delete every key with a prefix, or all keys',
          description: 'Exactly one of prefix=<non-empty> or all=true (a flush, which also empties the stored proxy responses).',
          operationId: 'deleteKeys',
          tags: ['keys'],
          // A flush empties the whole cache, proxy responses included: an admin's job.
          ...access('write', { query: 'all', scope: 'admin' }),
        },
      },
    )
    .use(otherMethods('/v1/keys', ['GET', 'HEAD', 'DELETE']))
}
