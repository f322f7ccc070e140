import { t } from 'elysia'
import { SafeInteger, strictObject } from '../../http/schemas'
import { TtlSchema } from '../../http/ttl'

export const GetOp = strictObject({ op: t.Literal('get'), key: t.String() })
export const SetOp = strictObject({
  op: t.Literal('set'),
  key: t.String(),
  value: t.Unknown({ description: 'any JSON value; stored as JSON' }),
  ttl: t.Optional(TtlSchema),
  nx: t.Optional(t.Boolean()),
  xx: t.Optional(t.Boolean()),
  keepttl: t.Optional(t.Boolean()),
})
export const DelOp = strictObject({ op: t.Literal('del'), key: t.String() })
export const IncrOp = strictObject({ op: t.Literal('incr'), key: t.String(), by: t.Optional(SafeInteger) })

const Op = t.Union([GetOp, SetOp, DelOp, IncrOp])

/** The batch body, with the configured bound on its length (--max-batch). */
export const batchBody = (maxOps: number) => strictObject({ ops: t.Array(Op, { maxItems: maxOps }) })

export type BatchOp = typeof Op.static

export const BatchReply = t.Object({
  atomic: t.Optional(t.Boolean({ description: 'with a shared tier: whether the batch ran as one Redis transaction' })),
  results: t.Array(
    t.Object({
      key: t.String(),
      status: t.Integer({ description: '200, 201, 204, 404, 409 or 412' }),
      version: t.Optional(t.Integer()),
      value: t.Optional(t.Unknown()),
      encoding: t.Optional(t.Literal('base64')),
      contentType: t.Optional(t.String()),
      expiresAt: t.Optional(t.Union([t.String(), t.Null()])),
      error: t.Optional(t.String()),
    }),
  ),
})
