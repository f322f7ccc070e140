import { Type } from '@sinclair/typebox'
import { Elysia } from 'elysia'
import { HttpError } from '../../http/errors'
import { otherMethods } from '../../http/method-not-allowed'
import { jsonResponse } from '../../http/respond'
import { SnapshotError, type Persistence } from '../../persistence'
import { NoQuery } from '../kv/model'
import { access } from '../../access/rules'
import { failures, named, reply } from '../../http/openapi/declare'

const SnapshotReply = named(
  'Snapshot',
  Type.Object({
    generation: Type.Integer({ minimum: 1 }),
    entries: Type.Integer({ minimum: 0 }),
    bytes: Type.Integer({ minimum: 0 }),
    durationMs: Type.Integer({ minimum: 0 }),
  }),
)

/** A failed snapshot has its own answer: the server is fine, the previous snapshot and the journal still stand. */
function snapshotFailure(error: unknown): never {
  if (!(error instanceof SnapshotError)) throw error
  if (error.noSpace) throw new HttpError(507, 'INSUFFICIENT_STORAGE', `${error.message} (no room for it in the data directory)`)
  throw new HttpError(503, 'SNAPSHOT_FAILED', error.message)
}

/** `POST /v1/admin/snapshot`: takes a snapshot now and answers when it is on disk. */
export function adminModule(persistenceNow: () => Persistence | undefined) {
  return new Elysia({ name: 'admin' })
    .post(
      '/v1/admin/snapshot',
      async () => {
        const persistence = persistenceNow()
        if (persistence === undefined)
          throw new HttpError(409, 'PERSISTENCE_OFF', 'persistence is off: start with --data-dir to take snapshots')
        const { generation, entries, bytes, durationMs } = await persistence.snapshot().catch(snapshotFailure)
        return jsonResponse(200, { generation, entries, bytes, durationMs })
      },
      {
        query: NoQuery,
        response: {
          200: reply(SnapshotReply, 'the snapshot is on disk'),
          ...failures({ 400: ['INVALID_REQUEST'], 409: ['PERSISTENCE_OFF'], 503: ['SNAPSHOT_FAILED'], 507: ['INSUFFICIENT_STORAGE'] }),
        },
        detail: {
          summary: 'Take a snapshot now (persistence must be on)',
          operationId: 'takeSnapshot',
          tags: ['admin'],
          ...access('admin'),
        },
      },
    )
    .use(otherMethods('/v1/admin/snapshot', ['POST']))
}
