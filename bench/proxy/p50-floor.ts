/**
 * What median latency a Bun server can reach in bench:proxy's cells: fastcache, Varnish, a minimal
 * Bun cache (minimal-cache.ts: a Map and a Response per hit) and the origin, measured as bench:proxy
 * measures them (wrk -t2 -c64, rotating rounds, medians), on uniform cached GETs. Prints one table;
 * writes nothing. Usage: bun run bench/proxy/p50-floor.ts [SIZE] [ROUNDS]
 */
import { resolve } from 'node:path'
import { buildFastcache } from '../http/build'
import { answers, freePort, installSignalHandlers, start, stop, stopAll, waitUntil } from '../http/procs'
import { medians, rotatingRounds } from '../http/rounds'
import { LUA_DIR, wrk, wrkErrors, type Load, type WrkResult } from '../http/wrk'
import { ITEM_PREFIX } from './body'
import { startFastcache, startOrigin, type Target } from './targets'
import { startVarnish } from './varnish'
import { warm } from './warm'

const size = Number(process.argv[2] ?? 100)
const rounds = Number(process.argv[3] ?? 5)
const keys = 10_000
const load: Load = { threads: 2, connections: 64, durationS: 3 }
const log = (message: string) => process.stderr.write(`${message}\n`)
const args = (target: Target) => [`pre=${target.pre}`, 'suf=', `keys=${keys}`, 'dist=uniform']

async function startMinimal(): Promise<Target> {
  const port = freePort()
  const url = `http://127.0.0.1:${port}`
  const pre = `/proxy/origin${ITEM_PREFIX}`
  const child = start([process.execPath, resolve(import.meta.dir, 'minimal-cache.ts'), String(port), String(size), String(keys)])
  await waitUntil('minimal cache', child, answers(`${url}${pre}0`))
  return { name: 'minimal' as Target['name'], url, pre, isHit: () => true, counters: async () => undefined, stop: () => stop(child) }
}

installSignalHandlers('p50-floor')
const targets: Target[] = []
try {
  await buildFastcache(false, log)
  const origin = await startOrigin(size)
  targets.push(origin, await startVarnish(origin.port), await startFastcache(origin.url), await startMinimal())
  for (const cache of targets.filter((t) => t.name === 'fastcache' || t.name === 'varnish')) await warm(cache, keys, size)
  for (const target of targets) await wrk(target.url, resolve(LUA_DIR, 'get.lua'), args(target), { ...load, durationS: 1 })
  const measured = await rotatingRounds(targets, (t) => wrk(t.url, resolve(LUA_DIR, 'get.lua'), args(t), load), {
    count: rounds,
    label: `${size} B uniform`,
    log,
    errors: wrkErrors,
  })
  const varnish = medians(measured.get(targets[1]!)!)
  console.log(`| target | req/s | p50 ms | p50 ÷ Varnish's | 64 ÷ req/s (mean latency, ms) | p50 ÷ mean |`)
  console.log('|---|--:|--:|--:|--:|--:|')
  for (const [target, results] of measured) {
    const m = medians(results as WrkResult[])
    const mean = (load.connections * 1000) / m.rps
    console.log(
      `| ${target.name} | ${Math.round(m.rps)} | ${m.p50Ms.toFixed(2)} | ${(m.p50Ms / varnish.p50Ms).toFixed(2)}× | ${mean.toFixed(2)} | ${(m.p50Ms / mean).toFixed(2)} |`,
    )
  }
} finally {
  for (const target of targets) await target.stop()
  await stopAll()
}
