import { Elysia, t } from 'elysia'
import { HttpError } from '../../http/errors'
import { otherMethods } from '../../http/method-not-allowed'
import { jsonResponse } from '../../http/respond'
import { SnapshotError, type Persistence } from '../../persistence'
import { NoQuery } from '../kv/model'
import { access } from '../../access/rules'

const SnapshotReply = t.Object({
  generation: t.Integer(),
  entries: t.Integer(),
  bytes: t.Integer(),
  durationMs: t.Integer(),
})

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
        response: { 200: SnapshotReply },
        detail: { summary: 'Take a snapshot now (persistence must be on)', ...access('admin') },
      },
    )
    .use(otherMethods('/v1/admin/snapshot', ['POST']))
}
