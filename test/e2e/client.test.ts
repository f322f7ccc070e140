import { describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { FastcacheClient, FastcacheError } from '../../client/src/index'
import { binaryHarness, root } from '../support/binary'

const { workDir, start, stop } = binaryHarness()

const ADMIN = 'client-admin-token-0001'
const WRITE = 'client-write-token-0001'

/** The error a call rejects with. */
async function failure(call: Promise<unknown>): Promise<FastcacheError> {
  const error = await call.then(
    () => undefined,
    (error: unknown) => error,
  )
  if (!(error instanceof FastcacheError)) throw new Error(`expected a FastcacheError, got ${String(error)}`)
  return error
}

describe('the fastcache client (client/) against the binary', () => {
  test('covers every key route: values of each kind, conditions, metadata, HEAD, counters, TTLs, batches, listing, deletes', async () => {
    const server = await start()
    const cache = new FastcacheClient({ baseUrl: server.url })
    try {
      const created = await cache.put('user:42', { name: 'Ada' }, { ttl: '10m' })
      // (toMatchObject with expect.any would write the matcher into `created`: compare copies.)
      expect([created.key, typeof created.version]).toEqual(['user:42', 'number'])
      expect(await cache.getJson('user:42')).toEqual({ name: 'Ada' })
      await cache.put('greeting', 'hello')
      expect(await cache.getText('greeting')).toBe('hello')
      await cache.put('blob', new Uint8Array([0, 1, 255]))
      const blob = (await cache.get('blob'))!
      expect([...blob.bytes]).toEqual([0, 1, 255])
      expect(blob.contentType).toBe('application/octet-stream')
      expect(await cache.get('absent')).toBeUndefined()

      // Compare-and-set: the version read is the one the write must find.
      const swapped = await cache.put('user:42', { name: 'Ada', langs: ['en'] }, { ifVersion: created.version })
      expect(swapped.version).toBeGreaterThan(created.version)
      expect((await failure(cache.put('user:42', {}, { ifVersion: created.version }))).code).toBe('PRECONDITION_FAILED')
      expect((await failure(cache.put('greeting', 'again', { nx: true }))).status).toBe(412)
      expect((await cache.put('greeting', 'kept ttl', { xx: true, keepTtl: true })).expiresAt).toBeNull()

      const meta = (await cache.meta('user:42'))!
      expect(meta).toMatchObject({ key: 'user:42', version: swapped.version, contentType: 'application/json', size: 29 })
      // A write without ttl clears the TTL.
      expect(meta.ttlMs).toBeNull()
      expect(await cache.head('user:42')).toEqual({ version: swapped.version, contentType: 'application/json', size: 29 })
      expect(await cache.head('absent')).toBeUndefined()

      expect(await cache.incr('visits')).toMatchObject({ value: 1 })
      expect(await cache.incr('visits', { by: 10, ttl: 60 })).toMatchObject({ value: 11 })
      expect((await failure(cache.incr('greeting'))).code).toBe('NOT_AN_INTEGER')
      expect((await cache.touch('visits', '1h'))!.expiresAt).not.toBeNull()
      expect((await cache.touch('visits', null))!.expiresAt).toBeNull()
      expect(await cache.touch('absent', 5)).toBeUndefined()

      const batch = await cache.batch([
        { op: 'set', key: 'cfg', value: { theme: 'dark' }, ttl: '10m' },
        { op: 'get', key: 'cfg' },
        { op: 'incr', key: 'visits', by: 5 },
        { op: 'del', key: 'absent' },
      ])
      expect(batch.results.map((result) => [result.status, result.value])).toEqual([
        [201, undefined],
        [200, { theme: 'dark' }],
        [200, 16],
        [404, undefined],
      ])

      expect((await cache.keys({ prefix: 'user:' })).keys).toEqual(['user:42'])
      const all: string[] = []
      for await (const key of cache.scan(undefined, 2)) all.push(key)
      expect(all.sort()).toEqual(['blob', 'cfg', 'greeting', 'user:42', 'visits'])

      expect(await cache.delete('user:42', { ifVersion: swapped.version })).toBe(true)
      expect(await cache.delete('user:42')).toBe(false)
      expect(await cache.deletePrefix('vis')).toBe(1)
      expect(await cache.flush()).toBe(3)
      expect((await failure(cache.put('', 'x'))).code).toBe('INVALID_KEY')
    } finally {
      await stop(server)
    }
  })

  test('the bearer token: refused without one or with too narrow a scope; the proxy, purge, snapshot and observability routes', async () => {
    let served = 0
    const origin = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: () => new Response(`served ${++served}`, { headers: { 'cache-control': 'max-age=60', 'surrogate-key': 'greeting' } }),
    })
    const dataDir = mkdtempSync(join(workDir, 'client-data-'))
    const server = await start([
      ...['--token', `admin:${ADMIN}`, '--token', `write:${WRITE}`],
      ...['--upstream', `origin=http://127.0.0.1:${origin.port}`, '--data-dir', dataDir],
    ])
    try {
      const anonymous = new FastcacheClient({ baseUrl: server.url })
      const writer = new FastcacheClient({ baseUrl: server.url, token: WRITE })
      const admin = new FastcacheClient({ baseUrl: server.url, token: ADMIN })
      expect(await failure(anonymous.get('k'))).toMatchObject({ status: 401, code: 'UNAUTHORIZED' })
      expect(await anonymous.health()).toEqual({ status: 'ok' })
      expect(await anonymous.ready()).toEqual({ status: 'ready' })
      await writer.put('k', 'v')
      expect(await writer.getText('k')).toBe('v')
      expect(await failure(writer.stats())).toMatchObject({ status: 403, code: 'FORBIDDEN' })
      expect(await failure(writer.flush())).toMatchObject({ status: 403, code: 'FORBIDDEN' })

      const first = await writer.proxy('origin', '/hello/world?x=1')
      expect([first.status, await first.text(), first.headers.get('cache-status')]).toEqual([
        200,
        'served 1',
        'fastcache; fwd=uri-miss; stored',
      ])
      expect(await (await writer.proxy('origin', 'hello/world?x=1')).text()).toBe('served 1')
      expect((await writer.proxy('origin', 'hello', { method: 'POST', body: 'x' })).status).toBe(200)
      expect(await admin.purge({ tag: 'greeting' })).toBe(1)

      expect(await admin.snapshot()).toMatchObject({ entries: 1 })
      expect((await admin.stats()).proxy.stored).toBe(1)
      expect(await admin.metrics()).toContain('fastcache_items 1\n')
      expect((await admin.openapi()).openapi).toBe('3.1.0')
    } finally {
      await stop(server)
      origin.stop(true)
    }
  })

  test('cache-aside with leases: 20 concurrent callers on a missing key compute it once and all get its value', async () => {
    const server = await start()
    const cache = new FastcacheClient({ baseUrl: server.url })
    try {
      let computed = 0
      const compute = async () => {
        computed++
        await Bun.sleep(100) // a slow query: the other callers arrive while it runs
        return { rows: computed }
      }
      const results = await Promise.all(Array.from({ length: 20 }, () => cache.cached('report', compute, { ttl: '1m', stale: '30s' })))
      expect(computed).toBe(1)
      expect(results).toEqual(Array.from({ length: 20 }, () => ({ rows: 1 })))
      expect(await cache.getJson('report')).toEqual({ rows: 1 })
      // Stored once, fresh: the next call is a plain hit.
      expect(await cache.cached('report', compute)).toEqual({ rows: 1 })
      expect(computed).toBe(1)
    } finally {
      await stop(server)
    }
  })

  test("the README's client example runs as written", async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const section = readme.slice(readme.indexOf('### From TypeScript: the client'))
    const example = /```ts\n([\s\S]*?)```/.exec(section)![1]!
    const server = await start()
    try {
      const script = join(mkdtempSync(join(workDir, 'readme-client-')), 'example.ts')
      const runnable = example
        .replace("'fastcache-client'", JSON.stringify(join(root, 'client/src/index.ts')))
        .replace('http://127.0.0.1:7070', server.url)
      writeFileSync(
        script,
        `${runnable}\nasync function slowQuery() { return { rows: 3 } }\nconsole.log(JSON.stringify({ user, value, report }))\n`,
      )
      const run = Bun.spawnSync(['bun', script], { env: { PATH: process.env.PATH ?? '' } })
      expect(run.stderr.toString()).toBe('')
      expect(run.stdout.toString().trim()).toBe('{"user":{"name":"Ada","langs":["en"]},"value":1,"report":{"rows":3}}')
    } finally {
      await stop(server)
    }
  })

  test('the built package (ESM and .d.ts, no dependencies) runs in Node', async () => {
    const build = Bun.spawnSync(['bun', 'run', 'build'], { cwd: join(root, 'client') })
    expect([build.exitCode, build.stderr.toString()]).toEqual([0, expect.any(String)])
    const manifest = await Bun.file(join(root, 'client/package.json')).json()
    expect(manifest.dependencies).toBeUndefined()
    expect(await Bun.file(join(root, 'client/dist/index.d.ts')).exists()).toBe(true)
    const server = await start()
    try {
      const script = `
        import { FastcacheClient } from ${JSON.stringify(join(root, 'client/dist/index.js'))}
        const cache = new FastcacheClient({ baseUrl: process.argv[1] })
        await cache.put('from-node', { runtime: 'node' })
        const value = await cache.cached('computed-in-node', async () => 42)
        console.log(JSON.stringify([await cache.getJson('from-node'), value, await cache.getJson('computed-in-node')]))
      `
      const node = Bun.spawnSync(['node', '--input-type=module', '-e', script, server.url])
      expect(node.stderr.toString()).toBe('')
      expect(node.stdout.toString().trim()).toBe('[{"runtime":"node"},42,42]')
    } finally {
      await stop(server)
    }
  }, 60_000)
})
