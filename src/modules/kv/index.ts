import { Elysia } from 'elysia'
import { presentedToken } from '../../access/guard'
import type { Config } from '../../config/schema'
import { jsonBodyParser } from '../../http/body'
import { badRequest } from '../../http/errors'
import { otherMethods } from '../../http/method-not-allowed'
import { keyFromPath } from '../../http/key'
import { flagSet } from '../../http/schemas'
import { parseDurationParam, parseTtlMs } from '../../http/ttl'
import { peerAddress } from '../../http/url'
import { GetQuery, IncrBody, IncrReply, MetaReply, NoQuery, PutQuery, TouchBody, WriteReply } from './model'
import { Type } from '@sinclair/typebox'
import { anyBody, eitherOf, failures, headerParameter, noBody, pathParameter, reply } from '../../http/openapi/declare'
import * as kv from './service'
import { putRequest } from './put-request'
import type { Store } from '../../store'
import { access } from '../../access/rules'

/** Small JSON bodies (incr, touch) never need more than this. */
const SMALL_JSON_LIMIT = 64 * 1024
/** Longest lease a caller may take; a forgotten one ends by itself. */
const MAX_LEASE_MS = 10 * 60 * 1000

const keyParameter = pathParameter(
  'key',
  '1 to --max-key-size bytes of UTF-8 without control characters, percent-encoded as needed (%2F and / are the same)',
)
const ifMatch = headerParameter('If-Match', 'only if the key exists with this version: "<version>" (a list, or *)')
const ifNoneMatch = headerParameter(
  'If-None-Match',
  '* : only if the key does not exist; "<version>": only if that is not the current version',
)
const written = { etag: 'always' } as const
const entryHeaders = {
  etag: 'always',
  'cache-control': 'sometimes',
  expires: 'sometimes',
  'cache-status': 'sometimes',
  lease: 'sometimes',
} as const

/** Single-key routes: values (`/v1/kv/*`), counters (`/v1/incr/*`) and TTLs (`/v1/touch/*`). */
export function kvModule(store: Store, config: Config) {
  const key = (raw: string) => keyFromPath(raw, config.maxKeyBytes)
  const smallJson = jsonBodyParser(SMALL_JSON_LIMIT)
  const leases = store.leases
  const leaseMs = (raw: string) => {
    const ms = parseDurationParam('lease', raw)
    if (ms > MAX_LEASE_MS) throw badRequest('INVALID_DURATION', `lease is at most ${MAX_LEASE_MS / 60_000} minutes`)
    return ms
  }

  return new Elysia({ name: 'kv' })
    .put(
      '/v1/kv/*',
      async ({ params, query, request }) => kv.put(store, leases, await putRequest(request, key(params['*']), query, config.maxValueBytes)),
      {
        parse: 'none',
        query: PutQuery,
        response: {
          200: reply(WriteReply, 'replaced', written),
          201: reply(WriteReply, 'created', written),
          ...failures({
            400: ['INVALID_REQUEST', 'INVALID_KEY', 'INVALID_TTL', 'INVALID_JSON', 'CONFLICTING_CONDITIONS', 'INVALID_DURATION'],
            409: ['LEASE_INVALID'],
            412: ['PRECONDITION_FAILED'],
            413: ['PAYLOAD_TOO_LARGE', 'ENTRY_TOO_LARGE'],
            503: ['REDIS_UNAVAILABLE'],
          }),
        },
        detail: {
          summary: 'Store a value',
          operationId: 'putValue',
          tags: ['keys'],
          parameters: [keyParameter, ifMatch, ifNoneMatch],
          requestBody: {
            required: true,
            description: 'the value, stored as given with its Content-Type (application/octet-stream when none)',
            content: {
              'application/json': { schema: { description: 'any JSON value; a JSON content type must hold valid JSON' } },
              '*/*': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } },
            },
          },
          ...access('write'),
          description:
            'JSON content types must hold valid JSON and read back as application/json; anything else is stored as opaque bytes. ' +
            'Conditions: ?nx (or If-None-Match: *), ?xx, If-Match: "<version>". A plain PUT clears the TTL unless ?keepttl. ' +
            '?stale=30s keeps the value 30 s past its ttl, served as stale; ?lease=<token> completes a lease from GET ?lease.',
        },
      },
    )
    .get(
      '/v1/kv/*',
      ({ params, query, request, server }) => {
        const k = key(params['*'])
        const meta = flagSet(query.meta)
        const ifNoneMatch = request.headers.get('if-none-match')
        if (query.lease === undefined) {
          if (query.wait !== undefined) throw badRequest('INVALID_REQUEST', 'wait only applies with lease')
          return kv.get(store, k, meta, ifNoneMatch)
        }
        const lease = leaseMs(query.lease)
        const waitMs = query.wait === undefined ? lease : parseDurationParam('wait', query.wait)
        // A client is its token; without tokens, its address (app.handle in tests has neither).
        const client = presentedToken(request) ?? peerAddress(server, request) ?? 'local'
        return kv.getWithLease(store, leases, k, { client, leaseMs: lease, waitMs, meta, ifNoneMatch })
      },
      {
        query: GetQuery,
        response: {
          200: eitherOf(
            anyBody('the stored bytes, with the Content-Type they were stored with', entryHeaders),
            reply(
              Type.Union([MetaReply, Type.Unknown({ description: 'a stored JSON value' })]),
              "a stored JSON value, or the entry's metadata with ?meta",
              entryHeaders,
            ),
          ),
          304: noBody('If-None-Match matched the current version', { etag: 'always', 'cache-control': 'sometimes', expires: 'sometimes' }),
          ...failures({ 400: ['INVALID_REQUEST', 'INVALID_KEY', 'INVALID_DURATION'], 404: ['KEY_NOT_FOUND'], 429: ['TOO_MANY_LEASES'] }),
        },
        detail: {
          summary: 'Read a value (or its metadata with ?meta)',
          operationId: 'getValue',
          tags: ['keys'],
          parameters: [
            keyParameter,
            headerParameter('If-None-Match', 'answers 304 when it matches the current version ("<version>", W/"<version>" or *)'),
          ],
          // A lease holds off every other caller of the key until its holder writes it: a writer's act.
          ...access('read', { query: 'lease', scope: 'write' }),
          description:
            'With ?lease=5s a miss returns 404 and a Lease header to the first caller, who should compute the value and PUT it with ?lease=<token>; ' +
            'other callers with ?lease wait (up to the lease or ?wait) and get the value when it is written.',
        },
      },
    )
    .delete('/v1/kv/*', ({ params, request }) => kv.remove(store, key(params['*']), request.headers.get('if-match')), {
      query: NoQuery,
      response: {
        204: noBody('deleted'),
        ...failures({
          400: ['INVALID_REQUEST', 'INVALID_KEY'],
          404: ['KEY_NOT_FOUND'],
          412: ['PRECONDITION_FAILED'],
          503: ['REDIS_UNAVAILABLE'],
        }),
      },
      detail: {
        summary: 'Delete a key (honours If-Match)',
        operationId: 'deleteValue',
        tags: ['keys'],
        parameters: [
          keyParameter,
          headerParameter('If-Match', 'only if the key has this version: "<version>" (412 otherwise, also when absent)'),
        ],
        ...access('write'),
      },
    })
    .use(otherMethods('/v1/kv/*', ['GET', 'HEAD', 'PUT', 'DELETE']))
    .post(
      '/v1/incr/*',
      ({ params, body }) => kv.incr(store, key(params['*']), body.by ?? 1, body.ttl === undefined ? undefined : parseTtlMs(body.ttl)),
      {
        parse: smallJson,
        body: IncrBody,
        query: NoQuery,
        response: {
          200: reply(IncrReply, 'added', written),
          201: reply(IncrReply, 'created from 0', written),
          ...failures({
            400: ['INVALID_REQUEST', 'INVALID_KEY', 'INVALID_TTL', 'INVALID_JSON', 'INVALID_BODY'],
            409: ['NOT_AN_INTEGER', 'OUT_OF_RANGE'],
            413: ['PAYLOAD_TOO_LARGE', 'ENTRY_TOO_LARGE'],
            415: ['UNSUPPORTED_MEDIA_TYPE'],
            503: ['REDIS_UNAVAILABLE'],
          }),
        },
        detail: {
          summary: 'Atomically add to an integer value',
          description: 'An absent key starts from 0 and takes ttl; an existing key keeps its TTL. An empty body adds 1.',
          operationId: 'incrementValue',
          tags: ['keys'],
          parameters: [keyParameter],
          // The content comes from the body schema.
          requestBody: { required: false, content: {} },
          ...access('write'),
        },
      },
    )
    .use(otherMethods('/v1/incr/*', ['POST']))
    .post('/v1/touch/*', ({ params, body }) => kv.touch(store, key(params['*']), body.ttl === null ? null : parseTtlMs(body.ttl)), {
      parse: smallJson,
      body: TouchBody,
      query: NoQuery,
      response: {
        200: reply(WriteReply, 'the TTL is set (or removed)', written),
        ...failures({
          400: ['INVALID_REQUEST', 'INVALID_KEY', 'INVALID_TTL', 'INVALID_JSON', 'INVALID_BODY'],
          404: ['KEY_NOT_FOUND'],
          413: ['PAYLOAD_TOO_LARGE'],
          415: ['UNSUPPORTED_MEDIA_TYPE'],
          503: ['REDIS_UNAVAILABLE'],
        }),
      },
      detail: {
        summary: 'Set or remove the TTL of a key',
        operationId: 'touchValue',
        tags: ['keys'],
        parameters: [keyParameter],
        ...access('write'),
      },
    })
    .use(otherMethods('/v1/touch/*', ['POST']))
}
