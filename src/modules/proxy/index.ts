import { Elysia } from 'elysia'
import { jsonBodyParser } from '../../http/body'
import { badRequest } from '../../http/errors'
import { otherMethods } from '../../http/method-not-allowed'
import { jsonResponse } from '../../http/respond'
import { NoQuery } from '../kv/model'
import { PurgeBody, PurgeReply } from './model'
import type { ProxyService } from './service'
import { access } from '../../access/rules'

const PURGE_BODY_LIMIT = 64 * 1024

/**
 * `/proxy/{upstream}/{path}`: GET and HEAD read through the cache, other methods pass through.
 * `DELETE /v1/proxy/cache`: purge by URL, prefix or tag.
 */
export function proxyModule(proxy: ProxyService) {
  return new Elysia({ name: 'proxy' })
    .get('/proxy/*', async ({ request }) => proxy.revealKey(request, await proxy.read(request)), {
      parse: 'none',
      detail: { summary: 'Read through the cache from an upstream (RFC 9111); Cache-Status says what happened', ...access('read') },
    })
    .all('/proxy/*', async ({ request }) => proxy.revealKey(request, await proxy.write(request)), {
      parse: 'none',
      detail: {
        summary: 'Any other method: passed through uncached; a success invalidates the stored responses for the URL',
        ...access('write'),
      },
    })
    .delete(
      '/v1/proxy/cache',
      async ({ body }) => {
        const given = (['url', 'prefix', 'tag'] as const).filter((field) => body[field] !== undefined)
        if (given.length !== 1) throw badRequest('INVALID_REQUEST', 'give exactly one of url, prefix, tag')
        const field = given[0]!
        return jsonResponse(200, { purged: await proxy.purge({ [field]: body[field]! } as never) })
      },
      {
        parse: jsonBodyParser(PURGE_BODY_LIMIT),
        body: PurgeBody,
        query: NoQuery,
        response: { 200: PurgeReply },
        // A purge empties what every client is served: an admin's job.
        detail: { summary: 'Purge stored proxy responses by URL, URL prefix or tag', ...access('admin') },
      },
    )
    .use(otherMethods('/v1/proxy/cache', ['DELETE']))
}

export { ProxyService } from './service'
