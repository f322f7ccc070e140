// The three targets of one value size: the origin, fastcache proxying it and Varnish in front of it,
// each on its own free loopback port. Varnish is in varnish.ts.
import { resolve } from 'node:path'
import { BINARY } from '../http/servers'
import { answers, freePort, start, stop, waitUntil } from '../http/procs'
import { ITEM_PREFIX } from './body'

export type TargetName = 'fastcache' | 'varnish' | 'origin'

/** What a cache counted: lookups answered from its store and lookups that went to the origin. */
export interface Counters {
  hits: number
  misses: number
}

export interface Target {
  name: TargetName
  url: string
  /** The path before the key index (get.lua's pre=). */
  pre: string
  /** Whether this answer came from the cache's store; undefined for the origin, which has none. */
  isHit(response: Response): boolean | undefined
  /** The cache's own hit and miss counts; undefined for the origin. */
  counters(): Promise<Counters | undefined>
  stop(): Promise<void>
}

const ORIGIN = resolve(import.meta.dir, 'origin-server.ts')
/** The upstream name fastcache proxies the origin as: its URLs are /proxy/origin/item/<n>. */
const UPSTREAM = 'origin'

export async function startOrigin(size: number): Promise<Target & { port: number }> {
  const port = freePort()
  const url = `http://127.0.0.1:${port}`
  const child = start([process.execPath, ORIGIN, String(port), String(size)], { stderr: 'inherit' })
  await waitUntil('origin', child, answers(`${url}/health`))
  return {
    name: 'origin',
    url,
    port,
    pre: ITEM_PREFIX,
    isHit: () => undefined,
    counters: async () => undefined,
    stop: () => stop(child),
  }
}

/** The environment without FASTCACHE_* variables, so the machine's settings cannot change the server (as bench/http). */
function cleanEnv(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('FASTCACHE_')))
}

interface ProxyStats {
  proxy: { hits: number; misses: number }
}

/** dist/fastcache with the origin as its one upstream. */
export async function startFastcache(originUrl: string): Promise<Target> {
  const port = freePort()
  const url = `http://127.0.0.1:${port}`
  const child = start(
    [
      BINARY,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--max-memory',
      '1gb',
      '--log-level',
      'warn',
      '--upstream',
      `${UPSTREAM}=${originUrl}`,
    ],
    { env: cleanEnv() },
  )
  await waitUntil('fastcache', child, answers(`${url}/health`))
  return {
    name: 'fastcache',
    url,
    pre: `/proxy/${UPSTREAM}${ITEM_PREFIX}`,
    // RFC 9211: our member reads `fastcache; hit; ttl=3599` when the stored response was used.
    isHit: (response) => /(^|,)\s*fastcache; hit(;|,|$)/.test(response.headers.get('cache-status') ?? ''),
    counters: async () => {
      const stats = (await (await fetch(`${url}/v1/stats`)).json()) as ProxyStats
      return { hits: stats.proxy.hits, misses: stats.proxy.misses }
    },
    stop: () => stop(child),
  }
}
