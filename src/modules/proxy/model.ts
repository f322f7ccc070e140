import { Type } from '@sinclair/typebox'
import { t } from 'elysia'
import { named } from '../../http/openapi/declare'
import { strictObject } from '../../http/schemas'

export const PurgeBody = named(
  'PurgeRequest',
  strictObject(
    {
      url: t.Optional(t.String({ minLength: 1, description: 'one URL: /proxy/{name}/... or the upstream URL' })),
      prefix: t.Optional(t.String({ minLength: 1, description: 'every URL starting with this (same two forms)' })),
      tag: t.Optional(t.String({ minLength: 1, description: 'every response tagged so by Surrogate-Key or Cache-Tag' })),
    },
    { description: 'exactly one of url, prefix, tag' },
  ),
)

export const PurgeReply = named('Purged', Type.Object({ purged: Type.Integer({ minimum: 0, description: 'stored responses removed' }) }))
