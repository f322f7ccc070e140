import { t } from 'elysia'
import { strictObject } from '../../http/schemas'

export const DataQuery = strictObject({
  since: t.Optional(t.Integer({ minimum: 0, description: 'epoch milliseconds: only points after it (the last `t` the page has)' })),
})

const Outcomes = t.Object({ hits: t.Number(), misses: t.Number() })
const Rates = t.Record(t.String(), t.Number())
const Milliseconds = t.Union([t.Number(), t.Null()])

const Point = t.Object({
  t: t.Integer({ description: 'epoch milliseconds' }),
  requests: t.Record(t.String(), t.Number(), { description: 'requests per second by "METHOD route status"' }),
  keys: t.Object(Outcomes.properties, { description: 'key reads per second: found (200/304), not found (404)' }),
  upstreams: t.Record(t.String(), Outcomes, { description: 'proxy reads per second by upstream: hits, misses sent upstream' }),
  items: t.Integer(),
  bytes: t.Integer(),
  rss: t.Integer(),
  sets: t.Number(),
  evictions: t.Number(),
  expirations: t.Number(),
  p50Ms: Milliseconds,
  p99Ms: Milliseconds,
  tier: t.Union([Rates, t.Null()], { description: 'shared tier counters per second' }),
})

const PrefixRow = t.Object({
  kind: t.Union([t.Literal('prefix'), t.Literal('internal'), t.Literal('none')]),
  name: t.String(),
  count: t.Integer({ description: 'estimated entries' }),
  bytes: t.Integer({ description: 'estimated bytes charged' }),
})

export const DataReply = t.Object({
  version: t.String(),
  now: t.Integer(),
  intervalMs: t.Integer(),
  upstreams: t.Array(t.String()),
  points: t.Array(Point),
  current: t.Object({
    uptimeSeconds: t.Integer(),
    items: t.Integer(),
    bytes: t.Integer(),
    maxBytes: t.Integer(),
    rss: t.Integer(),
    tier: t.Union([t.Object({ available: t.Boolean(), counters: t.Record(t.String(), t.Integer()) }), t.Null()]),
    persistence: t.Union([
      t.Object({
        snapshot: t.Union([t.Object({ at: t.Integer(), bytes: t.Integer() }), t.Null()]),
        journalBytes: t.Integer(),
        journals: t.Integer(),
      }),
      t.Null(),
    ]),
    prefixes: t.Object({
      sampledEntries: t.Integer(),
      items: t.Integer(),
      sampledAt: t.Integer(),
      byCount: t.Array(PrefixRow),
      byBytes: t.Array(PrefixRow),
    }),
  }),
})
