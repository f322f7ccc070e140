import { Elysia, t } from 'elysia'
import { HttpError } from '../../http/errors'
import { otherMethods } from '../../http/method-not-allowed'
import { jsonResponse } from '../../http/respond'
import type { Persistence } from '../../persistence'
import { NoQuery } from '../kv/model'

const SnapshotReply = t.Object({
  generation: t.Integer(),
  entries: t.Integer(),
  bytes: t.Integer(),
  durationMs: t.Integer(),
})

/** `POST /v1/admin/snapshot`: takes a snapshot now and answers when it is on disk. */
export function adminModule(persistence: Persistence | undefined) {
  return new Elysia({ name: 'admin' })
    .post(
      '/v1/admin/snapshot',
      async () => {
        if (persistence === undefined) throw new HttpError(409, 'PERSISTENCE_OFF', 'persistence is off: start with --data-dir to take snapshots')
        const { generation, entries, bytes, durationMs } = await persistence.snapshot()
        return jsonResponse(200, { generation, entries, bytes, durationMs })
      },
      { query: NoQuery, response: { 200: SnapshotReply }, detail: { summary: 'Take a snapshot now (persistence must be on)' } },
    )
    .use(otherMethods('/v1/admin/snapshot', ['POST']))
}
