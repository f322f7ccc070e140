import { Elysia } from 'elysia'
import { otherMethods } from '../../http/method-not-allowed'

const OK = JSON.stringify({ status: 'ok' })

/** Liveness for load balancers and the Docker HEALTHCHECK. */
export function healthModule() {
  return new Elysia({ name: 'health' })
    .get('/health', () => new Response(OK, { headers: { 'content-type': 'application/json' } }), { detail: { summary: 'Liveness' } })
    .use(otherMethods('/health', ['GET', 'HEAD']))
}
