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

/** `POST /v1/batch`: up to --max-batch get/set/del/incr operations run in order as one atomic unit. */
export function batchModule(store: Store, config: Config) {
  const reply = (json: string) => new Response(json, { headers: { 'content-type': 'application/json' } })
  return new Elysia({ name: 'batch' })
    .post(
      '/v1/batch',
      async ({ body }) => {
        const steps = prepare(body.ops, config, store)
        return then(store.batch(steps), (outcome) => reply(replyText(steps, outcome)), unavailableForWrites)
      },
      {
        parse: jsonBodyParser(config.maxBodyBytes),
        body: batchBody(config.maxBatch),
        query: NoQuery,
        response: { 200: BatchReply },
        detail: {
          summary: `Run up to ${config.maxBatch} operations atomically`,
          ...access('write'),
          description:
            'Each result carries its own status (200, 201, 204, 404, 409, 412). A malformed op rejects the whole batch. ' +
            'With a shared tier the reply says whether the batch ran as one transaction ("atomic"): on a Redis Cluster only when all keys share a slot.',
        },
      },
    )
    .use(otherMethods('/v1/batch', ['POST']))
}
