import { Elysia } from 'elysia'
import { otherMethods } from '../../http/method-not-allowed'
import type { Readiness } from '../../readiness'
import { access } from '../../access/rules'

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
      detail: { summary: 'Liveness', ...access('public') },
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
      { detail: { summary: 'Readiness: 503 until the data is loaded and Redis reached', ...access('public') } },
    )
    .use(otherMethods('/health/ready', ['GET', 'HEAD']))
}
