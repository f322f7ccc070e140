import { t } from 'elysia'
import { QueryFlag, SafeInteger, strictObject } from '../../http/schemas'
import { TtlSchema } from '../../http/ttl'

export const PutQuery = strictObject({
  ttl: t.Optional(t.String({ description: 'time to live: 30, 250ms, 30s, 5m, 2h, 1d' })),
  nx: QueryFlag,
  xx: QueryFlag,
  keepttl: QueryFlag,
  stale: t.Optional(t.String({ description: 'soft expiry: served as stale this long past ttl (needs ttl)' })),
  lease: t.Optional(t.String({ description: 'the token from a Lease header: completes that lease (409 when no longer valid)' })),
})

export const GetQuery = strictObject({
  meta: QueryFlag,
  lease: t.Optional(t.String({ description: 'on a miss, take a lease for this long (or wait for its holder to fill the key)' })),
  wait: t.Optional(t.String({ description: 'with lease: wait at most this long for the holder (default: the lease time)' })),
})

export const NoQuery = strictObject({})

export const WriteReply = t.Object({
  key: t.String(),
  version: t.Integer(),
  expiresAt: t.Union([t.String({ format: 'date-time' }), t.Null()]),
  staleAt: t.Optional(t.String({ format: 'date-time', description: 'with soft expiry: when the value turns stale' })),
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
