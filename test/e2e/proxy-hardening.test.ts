import { describe, expect, test } from 'bun:test'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { binaryHarness, type Server } from '../support/binary'
import { rawRequest } from '../support/raw-http'

// The proxy of the compiled binary against real origins on loopback that misbehave: they hang,
// stall mid-body, reflect request headers. Upstream timeouts are real timers, kept short.
const { workDir, start, stop } = binaryHarness()
const TIMEOUT = '300ms'

/** A loopback origin whose handler the test gives; counts requests by path. */
function origin(handler: (request: Request) => Response | Promise<Response>) {
  const seen: Request[] = []
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch(request) {
      seen.push(request)
      return handler(request)
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, seen, stop: () => server.stop(true) }
}

/** Starts the binary with one upstream "o" at `url`, with these options, from a config file. */
function startProxying(url: string, options: Record<string, unknown> = {}, args: string[] = []): Promise<Server> {
  const file = join(mkdtempSync(join(workDir, 'config-')), 'fastcache.json')
  writeFileSync(file, JSON.stringify({ upstreams: { o: { url, timeout: TIMEOUT, ...options } } }))
  return start(['--config', file, ...args])
}

/** Everything the server wrote to stderr, once it has stopped. */
async function stderrAfterStop(server: Server): Promise<string[]> {
  expect(await stop(server)).toBe(0)
  return (await server.closed).split('\n').filter((line) => line.length > 0)
}

describe('the binary proxying a misbehaving upstream', () => {
  test('a body that stalls past the timeout: the client is cut off, and stderr holds only JSON log lines', async () => {
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    const stalling = origin(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            async start(controller) {
              controller.enqueue(new TextEncoder().encode('the first part'))
              await released
              controller.close()
            },
          }),
          { headers: { 'cache-control': 'max-age=60' } },
        ),
    )
    try {
      const server = await startProxying(stalling.url)
      for (let i = 0; i < 3; i++) {
        const outcome = await fetch(`${server.url}/proxy/o/stalls-${i}`)
          .then((response) => response.text())
          .catch((error: unknown) => `failed: ${String(error)}`)
        // Cut off: the client never takes the part it got for a whole body.
        expect(outcome).toStartWith('failed')
      }
      const lines = await stderrAfterStop(server)
      const parsed = lines.map((line) => {
        try {
          return JSON.parse(line) as { message: string }
        } catch {
          return { message: `not JSON: ${line}` }
        }
      })
      expect(parsed.filter((line) => line.message.startsWith('not JSON'))).toEqual([])
      expect(parsed.filter((line) => line.message === 'upstream failed during the body')).toHaveLength(3)
    } finally {
      release()
      stalling.stop()
    }
  })

  test('four concurrent GETs on an upstream that hangs make one upstream request; all four get 504', async () => {
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    const hanging = origin(async () => {
      await released
      return new Response('too late')
    })
    try {
      const server = await startProxying(hanging.url)
      const replies = await Promise.all(Array.from({ length: 4 }, () => fetch(`${server.url}/proxy/o/hangs`)))
      expect(replies.map((reply) => reply.status)).toEqual([504, 504, 504, 504])
      expect(replies.filter((reply) => reply.headers.get('cache-status')!.includes('collapsed'))).toHaveLength(3)
      expect(hanging.seen).toHaveLength(1)
      expect(await stop(server)).toBe(0)
    } finally {
      release()
      hanging.stop()
    }
  })
})

describe('the binary keeps one client from shaping what another is served', () => {
  test('X-Forwarded-Host is not forwarded (a reflecting origin is not poisoned); a request with a cookie bypasses the cache', async () => {
    const reflecting = origin(
      (request) =>
        new Response(`host=${request.headers.get('x-forwarded-host') ?? 'origin'} cookie=${request.headers.get('cookie') ?? 'none'}`, {
          headers: { 'cache-control': 'max-age=600' },
        }),
    )
    try {
      const server = await startProxying(reflecting.url)
      const poisoning = { 'x-forwarded-host': 'evil.example', 'x-original-url': '/admin' }
      const attacker = await fetch(`${server.url}/proxy/o/page`, { headers: poisoning })
      expect(await attacker.text()).toBe('host=origin cookie=none')
      const victim = await fetch(`${server.url}/proxy/o/page`)
      expect(await victim.text()).toBe('host=origin cookie=none')
      expect(victim.headers.get('cache-status')).toStartWith('fastcache; hit')
      expect(reflecting.seen.every((request) => request.headers.get('x-original-url') === null)).toBe(true)

      const personal = await fetch(`${server.url}/proxy/o/home`, { headers: { cookie: 'session=alice' } })
      expect(await personal.text()).toBe('host=origin cookie=session=alice')
      expect(personal.headers.get('cache-status')).toBe('fastcache; fwd=bypass')
      const anonymous = await fetch(`${server.url}/proxy/o/home`)
      expect(await anonymous.text()).toBe('host=origin cookie=none')
      expect(await stop(server)).toBe(0)
    } finally {
      reflecting.stop()
    }
  })

  test("a client naming a Vary field in Connection (so it is not forwarded) cannot store the answer for that field's value", async () => {
    const byLanguage = origin(
      (request) =>
        new Response(`lang ${request.headers.get('accept-language') ?? 'default'}`, {
          headers: { 'cache-control': 'max-age=600', vary: 'Accept-Language' },
        }),
    )
    try {
      const server = await startProxying(byLanguage.url)
      const attack = await rawRequest(
        server.port,
        'GET /proxy/o/page HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: en\r\nConnection: accept-language, close\r\n\r\n',
      )
      expect([attack.status, attack.body]).toEqual([200, 'lang default'])
      const victim = await fetch(`${server.url}/proxy/o/page`, { headers: { 'accept-language': 'en' } })
      expect(await victim.text()).toBe('lang en')
      expect(victim.headers.get('cache-status')).toBe('fastcache; fwd=vary-miss; stored')
      expect(await stop(server)).toBe(0)
    } finally {
      byLanguage.stop()
    }
  })

  test('with --data-dir, Vary variants stored before a restart are all invalidated by a POST after it', async () => {
    const varies = { 'cache-control': 'max-age=600', vary: 'Accept-Language' }
    const byLanguage = (request: Request) => new Response(`lang ${request.headers.get('accept-language')}`, { headers: varies })
    const varying = origin((request) => (request.method === 'GET' ? byLanguage(request) : new Response('written')))
    const languages = ['en', 'fr', 'de']
    const read = (server: Server, language: string) => fetch(`${server.url}/proxy/o/doc`, { headers: { 'accept-language': language } })
    try {
      const dir = mkdtempSync(join(workDir, 'data-'))
      const first = await startProxying(varying.url, {}, ['--data-dir', dir])
      for (const language of languages) await (await read(first, language)).text()
      expect(await stop(first)).toBe(0)
      const second = await startProxying(varying.url, {}, ['--data-dir', dir])
      for (const language of languages) expect((await read(second, language)).headers.get('cache-status')).toStartWith('fastcache; hit')
      expect((await fetch(`${second.url}/proxy/o/doc`, { method: 'POST', body: 'x' })).status).toBe(200)
      for (const language of languages) {
        const after = await read(second, language)
        expect(await after.text()).toBe(`lang ${language}`)
        expect(after.headers.get('cache-status')).not.toContain('hit')
      }
      expect(await stop(second)).toBe(0)
    } finally {
      varying.stop()
    }
  })
})
