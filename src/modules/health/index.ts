import { Elysia } from 'elysia'
import { otherMethods } from '../../http/method-not-allowed'

const OK = JSON.stringify({ status: 'ok' })
const DEGRADED = JSON.stringify({ status: 'degraded', redis: 'unavailable' })

/**
 * Liveness for load balancers and the Docker HEALTHCHECK. With a shared tier, `degraded` while Redis
 * is unreachable (still 200: the instance serves what it can and recovers by itself).
 */
export function healthModule(tier?: { readonly available: boolean }) {
  return new Elysia({ name: 'health' })
    .get('/health', () => new Response(tier === undefined || tier.available ? OK : DEGRADED, { headers: { 'content-type': 'application/json' } }), {
      detail: { summary: 'Liveness' },
    })
    .use(otherMethods('/health', ['GET', 'HEAD']))
}
