import { Elysia } from 'elysia'
import { jsonBodyParser } from '../../http/body'
import { badRequest } from '../../http/errors'
import { otherMethods } from '../../http/method-not-allowed'
import { jsonResponse } from '../../http/respond'
import { NoQuery } from '../kv/model'
import { PurgeBody, PurgeReply } from './model'
import type { ProxyService } from './service'
import { access } from '../../access/rules'
import { anyBody, documentedMethods, failures, pathParameter, reply } from '../../http/openapi/declare'

const PURGE_BODY_LIMIT = 64 * 1024

// A proxied path's slashes must reach the server as they are: %2F is refused (INVALID_PROXY_PATH).
const proxyParameters = [
  pathParameter('upstream', 'the name of a configured upstream (--upstream NAME=URL)'),
  pathParameter('path', "the path under the upstream's base URL, with its query; its slashes are sent as they are, not as %2F"),
]
/** The upstream's answer, passed on: any status (each status the proxy answers itself may also be the upstream's). */
const upstreamAnswer = { default: anyBody("the upstream's answer, as it sent it", { 'cache-status': 'always', age: 'sometimes' }) }

/**
 * `/proxy/{upstream}/{path}`: GET and HEAD read through the cache, other methods pass through.
 * `DELETE /v1/proxy/cache`: purge by URL, prefix or tag.
 */
export function proxyModule(proxy: ProxyService) {
  return new Elysia({ name: 'proxy' })
    .get('/proxy/*', async ({ request }) => proxy.revealKey(request, await proxy.read(request)), {
      parse: 'none',
      response: {
        ...upstreamAnswer,
        ...failures({
          400: ['INVALID_PROXY_PATH'],
          404: ['UPSTREAM_NOT_FOUND'],
          416: ['RANGE_NOT_SATISFIABLE'],
          502: ['UPSTREAM_UNAVAILABLE'],
          504: ['UPSTREAM_TIMEOUT', 'NOT_CACHED'],
        }),
      },
      detail: {
        summary: 'Read through the cache from an upstream (RFC 9111); Cache-Status says what happened',
        operationId: 'proxyGet',
        tags: ['proxy'],
        parameters: proxyParameters,
        ...access('read'),
      },
    })
    .all('/proxy/*', async ({ request }) => proxy.revealKey(request, await proxy.write(request)), {
      parse: 'none',
      response: {
        ...upstreamAnswer,
        ...failures({ 400: ['INVALID_PROXY_PATH'], 404: ['UPSTREAM_NOT_FOUND'], 502: ['UPSTREAM_UNAVAILABLE'], 504: ['UPSTREAM_TIMEOUT'] }),
      },
      detail: {
        summary: 'Any other method: passed through (a POST answer for its own URL may be stored); a success invalidates the URL',
        operationId: 'proxy',
        tags: ['proxy'],
        parameters: proxyParameters,
        requestBody: { required: false, content: { '*/*': { schema: { description: 'passed to the upstream as it is' } } } },
        ...documentedMethods('POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
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
        response: {
          200: reply(PurgeReply, 'how many stored responses were removed'),
          ...failures({
            400: ['INVALID_REQUEST', 'INVALID_JSON', 'INVALID_BODY'],
            413: ['PAYLOAD_TOO_LARGE'],
            415: ['UNSUPPORTED_MEDIA_TYPE'],
            // On the shared tier, the purge goes through Redis.
            503: ['REDIS_UNAVAILABLE'],
          }),
        },
        // A purge empties what every client is served: an admin's job.
        detail: {
          summary: 'Purge stored proxy responses by URL, URL prefix or tag',
          operationId: 'purgeProxyCache',
          tags: ['proxy'],
          ...access('admin'),
        },
      },
    )
    .use(otherMethods('/v1/proxy/cache', ['DELETE']))
}

export { ProxyService } from './service'
