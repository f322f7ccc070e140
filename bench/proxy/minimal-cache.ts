// The least a cache written for Bun can do per hit, as a yardstick for bench/proxy/p50-floor.ts: the
// origin's bodies and fields held in a Map by path, each hit answered with them plus Age and
// Cache-Status, as fastcache's hits are. No freshness, no eviction, no routing: only Bun's HTTP server.
// Usage: bun run bench/proxy/minimal-cache.ts PORT SIZE KEYS
import { bodyOf, etagOf, ITEM_PREFIX } from './body'

const [port, size, keys] = process.argv.slice(2).map(Number) as [number, number, number]
const PATH_PREFIX = `/proxy/origin${ITEM_PREFIX}`
const stored = new Map<string, { body: Uint8Array; headers: Headers }>()
for (let n = 0; n < keys; n++) {
  const headers = new Headers({
    'cache-control': 'public, max-age=3600',
    'content-type': 'application/octet-stream',
    etag: etagOf(n, size),
  })
  headers.set('date', new Date().toUTCString())
  stored.set(`${PATH_PREFIX}${n}`, { body: bodyOf(n, size), headers })
}

Bun.serve({
  hostname: '127.0.0.1',
  port,
  reusePort: false,
  fetch(request) {
    const url = request.url
    const hit = stored.get(url.slice(url.indexOf('/', 11)))
    if (hit === undefined) return new Response('not found\n', { status: 404 })
    const response = new Response(hit.body, { headers: hit.headers })
    response.headers.set('age', '0')
    response.headers.set('cache-status', 'minimal; hit')
    return response
  },
})
