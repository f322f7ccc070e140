import { Elysia } from 'elysia'
import type { CacheEngine } from '../../cache'
import type { Config } from '../../config/schema'
import { jsonBodyParser } from '../../http/body'
import { otherMethods } from '../../http/method-not-allowed'
import { NoQuery } from '../kv/model'
import { BatchBody, BatchReply, MAX_BATCH_OPS } from './model'
import { prepare, run } from './service'

/** Room for a full batch: every value at the limit would not fit, but one large value plus many small ones does. */
const batchBodyLimit = (config: Config) => Math.max(16 * 1024 * 1024, config.maxValueBytes * 2 + 1024 * 1024)

/** `POST /v1/batch`: up to 1000 get/set/del/incr operations run in order as one atomic unit. */
export function batchModule(engine: CacheEngine, config: Config) {
  return new Elysia({ name: 'batch' })
    .post(
      '/v1/batch',
      ({ body }) =>
        new Response(run(engine, prepare(body.ops, config, engine)), { headers: { 'content-type': 'application/json' } }),
      {
        parse: jsonBodyParser(batchBodyLimit(config)),
        body: BatchBody,
        query: NoQuery,
        response: { 200: BatchReply },
        detail: {
          summary: `Run up to ${MAX_BATCH_OPS} operations atomically`,
          description: 'Each result carries its own status (200, 201, 204, 404, 409, 412). A malformed op rejects the whole batch.',
        },
      },
    )
    .use(otherMethods('/v1/batch', ['POST']))
}
