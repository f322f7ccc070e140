import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { binaryHarness, root } from '../support/binary'
import { chromiumAvailable, launchChromium, offlinePage, type Chromium } from '../support/chromium'

// The typed client in a real browser: bundled for browsers as `client:build` does, loaded by a page
// from another origin (as a web app would), calling the binary through CORS with a bearer token.
const { start, stop } = binaryHarness()

const WRITE = 'browser-write-token-0001'

/** client/src bundled for browsers, as client/package.json's build does. */
async function browserBundle(): Promise<string> {
  const built = await Bun.build({ entrypoints: [join(root, 'client/src/index.ts')], target: 'browser', format: 'esm' })
  if (!built.success) throw new Error(built.logs.join('\n'))
  return built.outputs[0]!.text()
}

describe.skipIf(!chromiumAvailable)('the typed client in headless Chromium', () => {
  let chromium: Chromium
  beforeAll(async () => {
    chromium = await launchChromium()
  }, 30_000)
  afterAll(() => chromium?.close())

  test('a page on another origin stores, reads, counts, batches and computes once through cached(), with its token', async () => {
    const bundle = await browserBundle()
    let serverUrl = ''
    const site = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      async fetch(request) {
        const { pathname } = new URL(request.url)
        if (pathname === '/client.js') return new Response(bundle, { headers: { 'content-type': 'text/javascript' } })
        if (pathname === '/overwrite') {
          // Another client of the cache writes the key the page has read.
          const put = await fetch(`${serverUrl}/v1/kv/user:1?ttl=10m`, {
            method: 'PUT',
            body: JSON.stringify({ name: 'Grace' }),
            headers: { authorization: `Bearer ${WRITE}`, 'content-type': 'application/json' },
          })
          return new Response(null, { status: put.status === 200 ? 204 : 500 })
        }
        return new Response('<!doctype html><title>app</title>', { headers: { 'content-type': 'text/html' } })
      },
    })
    const origin = `http://127.0.0.1:${site.port}`
    const server = await start(['--token', `write:${WRITE}`, '--cors-origin', origin])
    serverUrl = server.url
    try {
      const { page, errors } = await offlinePage(chromium.browser, origin)
      // The page's own origin and the server's are the only ones it may reach.
      page.removeAllListeners('request')
      page.on('request', (request) => {
        const url = new URL(request.url())
        if (url.origin === origin || url.origin === server.url) void request.continue()
        else void request.abort('internetdisconnected')
      })
      await page.goto(`${origin}/`)
      const results = await page.evaluate(
        async (baseUrl: string, token: string, siteUrl: string) => {
          // Runs in the page: the module is the page's, not one this file could import.
          const clientModule: string = '/client.js'
          const { FastcacheClient } = await import(clientModule)
          const cache = new FastcacheClient({ baseUrl, token })
          const created = await cache.put('user:1', { name: 'Ada' }, { ttl: '10m' })
          const read = await cache.getJson('user:1')
          // The value has a TTL, so it came with max-age; another client overwrites it meanwhile.
          await fetch(`${siteUrl}/overwrite`, { method: 'POST' })
          const reread = await cache.getJson('user:1')
          const counted = await cache.incr('visits', { by: 3 })
          const batch = await cache.batch([
            { op: 'set', key: 'b', value: 'x' },
            { op: 'get', key: 'b' },
          ])
          let computed = 0
          const compute = async () => {
            computed++
            return { rows: 7 }
          }
          const values = await Promise.all([1, 2, 3, 4, 5].map(() => cache.cached('report', compute, { ttl: '1m' })))
          // A client without the token is refused, not answered from what the browser saw before.
          let anonymous = ''
          try {
            anonymous = `resolved ${JSON.stringify(await new FastcacheClient({ baseUrl }).getText('user:1'))}`
          } catch (error) {
            anonymous = (error as { code: string }).code
          }
          return {
            created: created.key,
            read,
            reread,
            counted: counted.value,
            batch: batch.results.map((result: { status: number; value?: unknown }) => [result.status, result.value ?? null]),
            computed,
            values,
            anonymous,
          }
        },
        server.url,
        WRITE,
        origin,
      )
      expect(results).toEqual({
        created: 'user:1',
        read: { name: 'Ada' },
        reread: { name: 'Grace' },
        counted: 3,
        batch: [
          [201, null],
          [200, 'x'],
        ],
        computed: 1,
        values: Array.from({ length: 5 }, () => ({ rows: 7 })),
        anonymous: 'UNAUTHORIZED',
      })
      // The browser logs each 4xx it fetched (the refused read, the lease misses); nothing else may go wrong.
      expect(errors.filter((error) => !error.startsWith('Failed to load resource: the server responded with a status of 4'))).toEqual([])
      // What the browser stored is on the server.
      const stored = await fetch(`${server.url}/v1/kv/report`, { headers: { authorization: `Bearer ${WRITE}` } })
      expect(await stored.json()).toEqual({ rows: 7 })
    } finally {
      expect(await stop(server)).toBe(0)
      site.stop(true)
    }
  }, 60_000)
})
