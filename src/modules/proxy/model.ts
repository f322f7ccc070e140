import { t } from 'elysia'
import { strictObject } from '../../http/schemas'

export const PurgeBody = strictObject(
  {
    url: t.Optional(t.String({ minLength: 1, description: 'one URL: /proxy/{name}/... or the upstream URL' })),
    prefix: t.Optional(t.String({ minLength: 1, description: 'every URL starting with this (same two forms)' })),
    tag: t.Optional(t.String({ minLength: 1, description: 'every response tagged so by Surrogate-Key or Cache-Tag' })),
  },
  { description: 'exactly one of url, prefix, tag' },
)

export const PurgeReply = t.Object({ purged: t.Integer() })
