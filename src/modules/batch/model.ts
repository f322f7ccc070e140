import { Type } from '@sinclair/typebox'
import { t } from 'elysia'
import { named } from '../../http/openapi/declare'
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

const Op = named('BatchOperation', t.Union([GetOp, SetOp, DelOp, IncrOp]))

/** The batch body, with the configured bound on its length (--max-batch). */
export const batchBody = (maxOps: number) =>
  named('BatchRequest', strictObject({ ops: t.Array(Op, { maxItems: maxOps, description: `at most ${maxOps} (--max-batch)` }) }))

export type BatchOp = typeof Op.static

export const BatchResult = named(
  'BatchResult',
  Type.Object({
    key: Type.String(),
    status: Type.Union(
      [200, 201, 204, 404, 409, 412, 413].map((status) => Type.Literal(status)),
      {
        description: "the operation's own status",
      },
    ),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
    value: Type.Optional(Type.Unknown({ description: 'get: a JSON value as is, any other value as base64; incr: the new value' })),
    encoding: Type.Optional(Type.Literal('base64')),
    contentType: Type.Optional(Type.String()),
    expiresAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
    error: Type.Optional(Type.String({ description: 'the error code of a failed operation' })),
  }),
)

export const BatchReply = named(
  'BatchReply',
  Type.Object({
    atomic: Type.Optional(Type.Boolean({ description: 'with a shared tier: whether the batch ran as one Redis transaction' })),
    results: Type.Array(BatchResult, { description: 'one per operation, in order' }),
  }),
)
