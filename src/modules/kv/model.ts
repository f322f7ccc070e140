import { Type } from '@sinclair/typebox'
import { t } from 'elysia'
import { named } from '../../http/openapi/declare'
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

// Replies are plain TypeBox (Elysia's t.Integer also accepts numeric strings): the tests check every reply against them.
const Version = Type.Integer({ minimum: 1, description: 'the version, also sent as the ETag "<version>"' })
const Time = Type.String({ format: 'date-time' })

export const WriteReply = named(
  'WriteReply',
  Type.Object({
    key: Type.String(),
    version: Version,
    expiresAt: Type.Union([Time, Type.Null()], { description: 'when the key expires; null: never' }),
    staleAt: Type.Optional(Type.String({ format: 'date-time', description: 'with soft expiry: when the value turns stale' })),
  }),
)

export const MetaReply = named(
  'MetaReply',
  Type.Object({
    key: Type.String(),
    version: Version,
    size: Type.Integer({ minimum: 0, description: 'bytes of the value' }),
    contentType: Type.String(),
    createdAt: Type.String({ format: 'date-time', description: 'when the key was created (an overwrite keeps it)' }),
    expiresAt: Type.Union([Time, Type.Null()]),
    ttlMs: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'milliseconds left; null: no TTL' }),
  }),
)

export const IncrBody = named(
  'IncrRequest',
  strictObject({
    by: t.Optional(SafeInteger),
    ttl: t.Optional(TtlSchema),
  }),
)

export const IncrReply = named(
  'IncrReply',
  Type.Object({ key: Type.String(), value: Type.Integer({ description: 'the value after the addition' }), version: Version }),
)

export const TouchBody = named(
  'TouchRequest',
  strictObject({ ttl: t.Union([TtlSchema, t.Null()], { description: 'null removes the TTL' }) }),
)
