import { Elysia } from 'elysia'
import type { CacheEngine } from '../../cache'
import type { Config } from '../../config/schema'
import { jsonBodyParser } from '../../http/body'
import { otherMethods } from '../../http/method-not-allowed'
import { NoQuery } from '../kv/model'
import { BatchReply, batchBody } from './model'
import { prepare, run } from './service'

/** `POST /v1/batch`: up to --max-batch get/set/del/incr operations run in order as one atomic unit. */
export function batchModule(engine: CacheEngine, config: Config) {
  return new Elysia({ name: 'batch' })
    .post(
      '/v1/batch',
      ({ body }) =>
        new Response(run(engine, prepare(body.ops, config, engine)), { headers: { 'content-type': 'application/json' } }),
      {
        parse: jsonBodyParser(config.maxBodyBytes),
        body: batchBody(config.maxBatch),
        query: NoQuery,
        response: { 200: BatchReply },
        detail: {
          summary: `Run up to ${config.maxBatch} operations atomically`,
          description: 'Each result carries its own status (200, 201, 204, 404, 409, 412). A malformed op rejects the whole batch.',
        },
      },
    )
    .use(otherMethods('/v1/batch', ['POST']))
}
