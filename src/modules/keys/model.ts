import { Type } from '@sinclair/typebox'
import { t } from 'elysia'
import { named } from '../../http/openapi/declare'
import { strictObject } from '../../http/schemas'

export const ListQuery = strictObject({
  prefix: t.Optional(t.String()),
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 1000, description: 'page size, 1-1000 (default 100)' })),
  cursor: t.Optional(t.String({ description: 'from the previous page' })),
})

export const DeleteQuery = strictObject({
  prefix: t.Optional(t.String({ minLength: 1 })),
  all: t.Optional(t.Literal('true')),
})

export const ListReply = named(
  'KeyPage',
  Type.Object({
    keys: Type.Array(Type.String()),
    cursor: Type.Union([Type.String(), Type.Null()], { description: 'for the next page; null: the scan is over' }),
  }),
)
export const DeletedReply = named('Deleted', Type.Object({ deleted: Type.Integer({ minimum: 0, description: 'keys deleted' }) }))
