// The origin behind both caches: GET /item/<n> answers a fixed body of SIZE bytes that any shared cache
// may keep for an hour. Bodies are built once per key, so a direct request costs little more than Bun's
// HTTP handling: the origin column is a fast origin, not a slow one that would flatter the caches.
// Usage: bun run bench/proxy/origin-server.ts PORT SIZE
import { bodyOf, etagOf } from './body'

const port = Number(process.argv[2])
const size = Number(process.argv[3])
if (!Number.isInteger(port) || port <= 0 || !Number.isInteger(size) || size < 0) throw new Error('usage: origin-server.ts PORT SIZE')

const bodies = new Map<number, Buffer>()
const notFound = () => new Response('not found\n', { status: 404 })

function item(n: number): Response {
  let body = bodies.get(n)
  if (body === undefined) {
    body = bodyOf(n, size)
    bodies.set(n, body)
  }
  return new Response(body, {
    headers: { 'cache-control': 'public, max-age=3600', 'content-type': 'application/octet-stream', etag: etagOf(n, size) },
  })
}

Bun.serve({
  hostname: '127.0.0.1',
  port,
  // As fastcache: one process owns the port.
  reusePort: false,
  routes: {
    // Readiness probe, also sent through Varnish: no-store keeps it out of the caches.
    '/health': new Response('ok\n', { headers: { 'cache-control': 'no-store' } }),
    '/item/:n': {
      GET: (request) => {
        const n = Number(request.params.n)
        return Number.isInteger(n) && n >= 0 ? item(n) : notFound()
      },
    },
  },
  fetch: () => notFound(),
})

process.on('SIGTERM', () => process.exit(0))
