import { t } from 'elysia'
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

export const ListReply = t.Object({ keys: t.Array(t.String()), cursor: t.Union([t.String(), t.Null()]) })
export const DeletedReply = t.Object({ deleted: t.Integer() })
