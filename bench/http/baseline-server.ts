// The runtime limit: the least a Bun HTTP key-value server can do for the benchmark's requests.
// A Map of PUT bodies, answered with the same status codes, headers and body shapes as fastcache
// (GET hit: ETag + Content-Type; PUT: 201/200 JSON with ETag; miss: 404 JSON error; batch gets: the
// same results array, base64 for opaque values), with no validation, metrics or eviction.
// Usage: bun run bench/http/baseline-server.ts PORT

interface Stored {
  bytes: Uint8Array
  type: string
  version: number
}

const port = Number(process.argv[2])
if (!Number.isInteger(port) || port <= 0) throw new Error('usage: baseline-server.ts PORT')

const KV = '/v1/kv/'
const store = new Map<string, Stored>()
let version = 0

const NOT_FOUND = '{"error":{"code":"KEY_NOT_FOUND","message":"no such key"}}'
const JSON_HEADERS = { 'content-type': 'application/json' }

/** The key is everything after /v1/kv/ in the path (request.url is absolute: skip scheme and host). */
function keyOf(url: string): string {
  const path = url.indexOf(KV, url.indexOf('/', 8))
  const query = url.indexOf('?', path)
  const raw = url.slice(path + KV.length, query === -1 ? undefined : query)
  return raw.includes('%') ? decodeURIComponent(raw) : raw
}

function get(request: Request): Response {
  const entry = store.get(keyOf(request.url))
  if (entry === undefined) return new Response(NOT_FOUND, { status: 404, headers: JSON_HEADERS })
  return new Response(entry.bytes, { headers: { etag: `"${entry.version}"`, 'content-type': entry.type } })
}

async function put(request: Request): Promise<Response> {
  const key = keyOf(request.url)
  const bytes = await request.bytes()
  const created = !store.has(key)
  const entry = { bytes, type: request.headers.get('content-type') || 'application/octet-stream', version: ++version }
  store.set(key, entry)
  return new Response(JSON.stringify({ key, version: entry.version, expiresAt: null }), {
    status: created ? 201 : 200,
    headers: { 'content-type': 'application/json', etag: `"${entry.version}"` },
  })
}

/** POST /v1/batch with get ops only: the comparison for fastcache's batch of gets. */
async function batch(request: Request): Promise<Response> {
  const { ops } = (await request.json()) as { ops: { op: string; key: string }[] }
  const results = ops.map(({ key }) => {
    const entry = store.get(key)
    if (entry === undefined) return { key, status: 404 }
    return {
      key,
      status: 200,
      version: entry.version,
      value: Buffer.from(entry.bytes.buffer, entry.bytes.byteOffset, entry.bytes.byteLength).toString('base64'),
      encoding: 'base64',
      contentType: entry.type,
    }
  })
  return new Response(JSON.stringify({ results }), { headers: JSON_HEADERS })
}

Bun.serve({
  hostname: '127.0.0.1',
  port,
  // As fastcache: one process owns the port.
  reusePort: false,
  routes: {
    '/health': new Response('{"status":"ok"}', { headers: JSON_HEADERS }),
    '/v1/kv/*': { GET: get, PUT: put },
    '/v1/batch': { POST: batch },
  },
  fetch: () => new Response(NOT_FOUND, { status: 404, headers: JSON_HEADERS }),
})

// Exit through process.exit on SIGTERM (as fastcache does), so `bun --cpu-prof` can write its profile.
process.on('SIGTERM', () => process.exit(0))
