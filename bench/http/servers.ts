// Starts and stops the three systems under test, each on its own free loopback ports:
// fastcache (the compiled binary), the runtime limit (baseline-server.ts) and webdis over redis-server.
import { writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import { KEY_PREFIX, MISS_PREFIX, loadHttp, loadRedis, valueFor } from './preload'
import { answers, freePort, removeScratch, run, scratchDir, start, stop, waitUntil, type Child } from './procs'

export const ROOT = resolve(import.meta.dir, '../..')
export const BINARY = resolve(ROOT, 'dist/fastcache')
const BASELINE = resolve(import.meta.dir, 'baseline-server.ts')

export type TargetName = 'fastcache' | 'limit' | 'webdis'

/** How a target spells each request: path before and after the key index, and its batch form. */
export interface Routes {
  get: { pre: string; suf: string }
  miss: { pre: string; suf: string }
  put: { pre: string; suf: string }
  batch: { mode: 'json' | 'mget'; path: string }
}

export interface Target {
  name: TargetName
  url: string
  routes: Routes
  /** Preloads key:0 .. key:(count-1) with `size`-byte values. */
  load(count: number, size: number): Promise<void>
  stop(): Promise<void>
}

const BUN_ROUTES: Routes = {
  get: { pre: `/v1/kv/${KEY_PREFIX}`, suf: '' },
  miss: { pre: `/v1/kv/${MISS_PREFIX}`, suf: '' },
  put: { pre: `/v1/kv/${KEY_PREFIX}`, suf: '' },
  batch: { mode: 'json', path: '/v1/batch' },
}

// `?type=` makes webdis answer the stored bytes as they are, with fastcache's content type,
// instead of wrapping them in JSON: the closest equivalent of a fastcache GET.
const OCTET = '?type=application/octet-stream'
const WEBDIS_ROUTES: Routes = {
  get: { pre: `/GET/${KEY_PREFIX}`, suf: OCTET },
  miss: { pre: `/GET/${MISS_PREFIX}`, suf: OCTET },
  put: { pre: `/SET/${KEY_PREFIX}`, suf: '' },
  batch: { mode: 'mget', path: '/MGET/' },
}

/** The environment without FASTCACHE_* variables, so the machine's settings cannot change the server. */
function cleanEnv(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('FASTCACHE_')))
}

/** Fails loudly unless GET of key:0 returns exactly the preloaded value. */
async function checkValue(url: string, size: number): Promise<void> {
  const body = await (await fetch(url)).text()
  if (body !== valueFor(0, size)) throw new Error(`preload check failed at ${url}: got ${body.length} bytes`)
}

export async function startFastcache(maxMemory = '2gb'): Promise<Target & { child: Child }> {
  const port = freePort()
  const url = `http://127.0.0.1:${port}`
  const child = start([BINARY, '--host', '127.0.0.1', '--port', String(port), '--max-memory', maxMemory, '--log-level', 'warn'], {
    env: cleanEnv(),
  })
  await waitUntil('fastcache', child, answers(`${url}/health`))
  return {
    name: 'fastcache',
    url,
    child,
    routes: BUN_ROUTES,
    load: async (count, size) => {
      await loadHttp(url, count, size)
      await checkValue(`${url}/v1/kv/${KEY_PREFIX}0`, size)
    },
    stop: () => stop(child),
  }
}

export async function startLimit(): Promise<Target> {
  const port = freePort()
  const url = `http://127.0.0.1:${port}`
  const child = start([process.execPath, BASELINE, String(port)], { stderr: 'inherit' })
  await waitUntil('baseline server', child, answers(`${url}/health`))
  return {
    name: 'limit',
    url,
    routes: BUN_ROUTES,
    load: async (count, size) => {
      await loadHttp(url, count, size)
      await checkValue(`${url}/v1/kv/${KEY_PREFIX}0`, size)
    },
    stop: () => stop(child),
  }
}

/** redis-server with no persistence, in a scratch directory removed on stop. */
export async function startRedis(): Promise<{ port: number; child: Child; stop(): Promise<void> }> {
  const dir = scratchDir('bench-http-redis-')
  const port = freePort()
  const child = start(
    [
      'redis-server',
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--dir',
      dir,
      '--logfile',
      '',
    ],
    { cwd: dir },
  )
  const ping = async () => (await run(['redis-cli', '-h', '127.0.0.1', '-p', String(port), 'ping'])).trim() === 'PONG'
  try {
    await waitUntil('redis-server', child, ping)
  } catch (error) {
    await stop(child)
    removeScratch(dir)
    throw error
  }
  return {
    port,
    child,
    stop: async () => {
      await stop(child)
      removeScratch(dir)
    },
  }
}

/** webdis in front of its own redis-server; its config and log live in a scratch directory. */
export async function startWebdis(): Promise<Target> {
  const redis = await startRedis()
  const dir = scratchDir('bench-http-webdis-')
  const port = freePort()
  const url = `http://127.0.0.1:${port}`
  const config = {
    redis_host: '127.0.0.1',
    redis_port: redis.port,
    http_host: '127.0.0.1',
    http_port: port,
    // One worker thread per core: more would only contend with wrk and redis for the same cores.
    threads: availableParallelism(),
    daemonize: false,
    database: 0,
    // Errors only, into the scratch directory (webdis otherwise writes ./webdis.log).
    verbosity: 0,
    logfile: join(dir, 'webdis.log'),
    pidfile: join(dir, 'webdis.pid'),
  }
  const configPath = join(dir, 'webdis.json')
  writeFileSync(configPath, JSON.stringify(config))
  let child: Child | undefined
  const stopAll = async () => {
    if (child) await stop(child)
    await redis.stop()
    removeScratch(dir)
  }
  try {
    child = start(['webdis', configPath], { cwd: dir })
    await waitUntil('webdis', child, answers(`${url}/PING`))
  } catch (error) {
    await stopAll()
    throw error
  }
  return {
    name: 'webdis',
    url,
    routes: WEBDIS_ROUTES,
    load: async (count, size) => {
      await loadRedis(redis.port, count, size)
      await checkValue(`${url}${WEBDIS_ROUTES.get.pre}0${OCTET}`, size)
    },
    stop: stopAll,
  }
}
