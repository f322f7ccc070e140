import { Elysia } from 'elysia'
import { otherMethods } from '../../http/method-not-allowed'
import type { Readiness } from '../../readiness'
import { access } from '../../access/rules'
import { Type } from '@sinclair/typebox'
import { named, reply } from '../../http/openapi/declare'

const Health = named(
  'Health',
  Type.Union([
    Type.Object({ status: Type.Literal('ok') }),
    Type.Object(
      { status: Type.Literal('degraded'), redis: Type.Literal('unavailable') },
      { description: 'the shared tier is unreachable' },
    ),
  ]),
)
const Ready = named('Ready', Type.Object({ status: Type.Literal('ready') }))
const Starting = named(
  'Starting',
  Type.Object({
    status: Type.Literal('starting'),
    waitingFor: Type.Array(Type.Union([Type.Literal('data'), Type.Literal('redis')]), { description: 'what the server still waits for' }),
  }),
)

const OK = JSON.stringify({ status: 'ok' })
const DEGRADED = JSON.stringify({ status: 'degraded', redis: 'unavailable' })
const READY = JSON.stringify({ status: 'ready' })
const json = { 'content-type': 'application/json' }

/**
 * `GET /health`: liveness, for load balancers and the Docker HEALTHCHECK. With a shared tier,
 * `degraded` while Redis is unreachable (still 200: the instance serves what it can and recovers
 * by itself). `GET /health/ready`: readiness, 503 until the data directory is loaded and, with a
 * shared tier, Redis has been reached; 200 after.
 */
export function healthModule(readiness: Readiness, tier?: { readonly available: boolean }) {
  return new Elysia({ name: 'health' })
    .get('/health', () => new Response(tier === undefined || tier.available ? OK : DEGRADED, { headers: json }), {
      response: { 200: reply(Health, 'the process answers') },
      detail: { summary: 'Liveness', operationId: 'getHealth', tags: ['health'], ...access('public') },
    })
    .use(otherMethods('/health', ['GET', 'HEAD']))
    .get(
      '/health/ready',
      () =>
        readiness.ready
          ? new Response(READY, { headers: json })
          : new Response(JSON.stringify({ status: 'starting', waitingFor: readiness.waitingFor }), {
              status: 503,
              headers: { ...json, 'retry-after': '1' },
            }),
      {
        response: {
          200: reply(Ready, 'ready'),
          503: reply(Starting, 'still starting', { 'retry-after': 'always' }),
        },
        detail: {
          summary: 'Readiness: 503 until the data is loaded and Redis reached',
          operationId: 'getReadiness',
          tags: ['health'],
          ...access('public'),
        },
      },
    )
    .use(otherMethods('/health/ready', ['GET', 'HEAD']))
}
