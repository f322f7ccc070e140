import { Elysia } from 'elysia'
import type { Config } from '../../config/schema'
import { jsonBodyParser } from '../../http/body'
import { otherMethods } from '../../http/method-not-allowed'
import { unavailableForWrites } from '../../http/store-unavailable'
import { then, type Store } from '../../store'
import { NoQuery } from '../kv/model'
import { BatchReply, batchBody } from './model'
import { prepare, replyText } from './service'
import { access } from '../../access/rules'
import { failures, reply } from '../../http/openapi/declare'

/** `POST /v1/batch`: up to --max-batch get/set/del/incr operations run in order as one atomic unit. */
export function batchModule(store: Store, config: Config) {
  const respond = (json: string) => new Response(json, { headers: { 'content-type': 'application/json' } })
  return new Elysia({ name: 'batch' })
    .post(
      '/v1/batch',
      async ({ body }) => {
        const steps = prepare(body.ops, config, store)
        return then(store.batch(steps), (outcome) => respond(replyText(steps, outcome)), unavailableForWrites)
      },
      {
        parse: jsonBodyParser(config.maxBodyBytes),
        body: batchBody(config.maxBatch),
        query: NoQuery,
        response: {
          200: reply(BatchReply, 'every operation ran; each result has its own status'),
          ...failures({
            400: ['INVALID_REQUEST', 'INVALID_KEY', 'INVALID_TTL', 'INVALID_JSON', 'INVALID_BODY', 'CONFLICTING_CONDITIONS'],
            413: ['PAYLOAD_TOO_LARGE', 'ENTRY_TOO_LARGE'],
            415: ['UNSUPPORTED_MEDIA_TYPE'],
            503: ['REDIS_UNAVAILABLE'],
          }),
        },
        detail: {
          summary: `Run up to ${config.maxBatch} operations atomically`,
          operationId: 'runBatch',
          tags: ['batch'],
          ...access('write'),
          description:
            'Each result carries its own status (200, 201, 204, 404, 409, 412). A malformed op rejects the whole batch. ' +
            'With a shared tier the reply says whether the batch ran as one transaction ("atomic"): on a Redis Cluster only when all keys share a slot.',
        },
      },
    )
    .use(otherMethods('/v1/batch', ['POST']))
}
