// A small upstream to try the proxy with: GET /users/{id} answers JSON that may be cached for 60 s
// (and served stale 30 s more while it is refreshed), with an ETag, so revalidations get 304.
// Usage: bun docs/examples/demo-origin.ts [port, default 8080]
const port = Number(process.argv[2] ?? 8080)
let served = 0

Bun.serve({
  hostname: '127.0.0.1',
  port,
  fetch(request) {
    const user = /^\/users\/([\w-]+)$/.exec(new URL(request.url).pathname)?.[1]
    if (user === undefined) return new Response('not found', { status: 404 })
    const headers = {
      'cache-control': 'max-age=60, stale-while-revalidate=30',
      'content-type': 'application/json;charset=utf-8',
      etag: '"v1"',
      'surrogate-key': 'users',
    }
    if (request.headers.get('if-none-match') === '"v1"') return new Response(null, { status: 304, headers })
    served++
    return new Response(JSON.stringify({ id: user, served }), { headers })
  },
})
