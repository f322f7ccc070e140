import { t } from 'elysia'
import { QueryFlag, SafeInteger, strictObject } from '../../http/schemas'
import { TtlSchema } from '../../http/ttl'

export const PutQuery = strictObject({
  ttl: t.Optional(t.String({ description: 'time to live: 30, 250ms, 30s, 5m, 2h, 1d' })),
  nx: QueryFlag,
  xx: QueryFlag,
  keepttl: QueryFlag,
})

export const GetQuery = strictObject({ meta: QueryFlag })

export const NoQuery = strictObject({})

export const WriteReply = t.Object({
  key: t.String(),
  version: t.Integer(),
  expiresAt: t.Union([t.String({ format: 'date-time' }), t.Null()]),
})

export const MetaReply = t.Object({
  key: t.String(),
  version: t.Integer(),
  size: t.Integer(),
  contentType: t.String(),
  createdAt: t.String({ format: 'date-time' }),
  expiresAt: t.Union([t.String({ format: 'date-time' }), t.Null()]),
  ttlMs: t.Union([t.Integer(), t.Null()]),
})

export const IncrBody = strictObject({
  by: t.Optional(SafeInteger),
  ttl: t.Optional(TtlSchema),
})

export const IncrReply = t.Object({ key: t.String(), value: t.Integer(), version: t.Integer() })

export const TouchBody = strictObject({ ttl: t.Union([TtlSchema, t.Null()]) })
