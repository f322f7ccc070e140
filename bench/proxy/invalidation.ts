// What invalidating proxied responses costs in a large cache (issue #11): one URL (what every
// successful POST/PUT/DELETE through the proxy and every purge by URL does), a purge by prefix, and
// replaying the journal those leave behind at the next start. "Before" makes the engine calls the
// proxy made until now (a delete plus a prefix delete per URL; one prefix delete per prefix purge),
// "after" calls today's ProxyStore, both on the same engine in the same run.
// Usage: bun run bench/proxy/invalidation.ts [keys=1000000]
import { writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { CacheEngine, type MutationListener } from '../../src/cache'
import { ProxyStore } from '../../src/modules/proxy/proxy-store'
import { LocalStore } from '../../src/store'
import type { StoredResponse } from '../../src/modules/proxy/stored-response'
import { f0, f2 } from '../http/format'

const keys = Number(process.argv[2] ?? 1_000_000)
const CALLS = 200
const PREFIX_URLS = 1000
const PREFIX_ROUNDS = 5
const REPLAYED = 100
const VARIANTS = ['en', 'fr', 'de', 'it']
const VARY = ['accept-language']
const OLD_VARIANT_SEPARATOR = '\u0002'

const engine = new CacheEngine({ maxBytes: 8 * 1024 ** 3, sweepIntervalMs: 0 })
const store = new ProxyStore(new LocalStore(engine))
const response: StoredResponse = {
  status: 200,
  headers: [['cache-control', 'max-age=3600']],
  requestTime: 0,
  responseTime: 0,
  lifetimeMs: 3_600_000,
  initialAgeMs: 0,
  varyKey: '',
  tags: [],
  body: new Uint8Array(100).fill(120),
}
const base = (path: string) => ProxyStore.baseKey('api', path)

/** Stores `path` plain, or with one variant per language when `vary` is set. */
function storeUrl(path: string, vary: boolean): void {
  if (!vary) store.store(base(path), [], new Headers(), response, 3_600_000)
  else for (const language of VARIANTS) store.store(base(path), VARY, new Headers({ 'accept-language': language }), response, 3_600_000)
}

/** Counts what the engine reports for persistence to journal. */
const journaled = { deletes: 0, prefixDeletes: 0 }
const listener: MutationListener = {
  written() {},
  deleted: () => void journaled.deletes++,
  deletedPrefix: () => void journaled.prefixDeletes++,
  flushed() {},
  touched() {},
}

/** Per-call times (ms) and journal records of one way of invalidating. */
interface Calls {
  times: number[]
  deletes: number
  prefixDeletes: number
}
const noCalls = (): Calls => ({ times: [], deletes: 0, prefixDeletes: 0 })

/** Times `call` once per path, adding to `into`. */
function timeEach(paths: string[], call: (path: string) => unknown, into: Calls): void {
  const before = { ...journaled }
  for (const path of paths) {
    const started = performance.now()
    call(path)
    into.times.push(performance.now() - started)
  }
  into.deletes += journaled.deletes - before.deletes
  into.prefixDeletes += journaled.prefixDeletes - before.prefixDeletes
}

/** Before and after, each on its own paths, in two halves run in opposite orders (neither always on a warmer heap). */
function compare(oldPaths: string[], newPaths: string[]): { old: Calls; now: Calls } {
  const old = noCalls()
  const now = noCalls()
  const half = oldPaths.length / 2
  timeEach(oldPaths.slice(0, half), oldInvalidate, old)
  timeEach(newPaths.slice(0, half), newInvalidate, now)
  timeEach(newPaths.slice(half), newInvalidate, now)
  timeEach(oldPaths.slice(half), oldInvalidate, old)
  return { old, now }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!
const median = (calls: Calls) =>
  percentile(
    [...calls.times].sort((a, b) => a - b),
    0.5,
  )

/** The longest the event loop went without running a setImmediate callback while `work` ran, and how long `work` took. */
interface Stall {
  totalMs: number
  longestStallMs: number
}
async function loopStall(work: () => unknown): Promise<Stall> {
  let last = performance.now()
  let longest = 0
  let running = true
  const tick = () => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
    if (running) setImmediate(tick)
  }
  setImmediate(tick)
  const started = performance.now()
  await work()
  const totalMs = performance.now() - started
  // A synchronous call never lets the timer run: its whole duration is the stall.
  longest = Math.max(longest, performance.now() - last)
  running = false
  await Bun.sleep(2)
  return { totalMs, longestStallMs: longest }
}

const oldInvalidate = (path: string) => {
  engine.delete(base(path))
  engine.deletePrefix(base(path) + OLD_VARIANT_SEPARATOR)
}
const newInvalidate = (path: string) => store.invalidate(base(path))

const loadBefore = loadavg()
const filling = performance.now()
const value = new Uint8Array(16).fill(120)
for (let i = 0; i < keys; i++) engine.set(`key:${i}`, value, 'application/octet-stream')
const urls = (name: string, count: number) => Array.from({ length: count }, (_, i) => `/${name}/${i}`)
for (const name of ['old-plain', 'new-plain']) for (const path of urls(name, CALLS)) storeUrl(path, false)
for (const name of ['old-vary', 'new-vary']) for (const path of urls(name, CALLS)) storeUrl(path, true)
for (let round = 0; round < PREFIX_ROUNDS; round++) {
  for (let i = 0; i < PREFIX_URLS; i++) {
    storeUrl(`/old-prefix-${round}/${i}`, i % 2 === 0)
    storeUrl(`/new-prefix-${round}/${i}`, i % 2 === 0)
  }
}
const fillSeconds = (performance.now() - filling) / 1000
const items = engine.stats().items
engine.listen(listener)

// Warm-up on URLs of their own: both sides run compiled code when timed.
for (const path of urls('warm', 20)) storeUrl(path, true)
compare(urls('warm', 20).slice(0, 10), urls('warm', 20).slice(10))

const perUrl = {
  plain: compare(urls('old-plain', CALLS), urls('new-plain', CALLS)),
  vary: compare(urls('old-vary', CALLS), urls('new-vary', CALLS)),
  nothing: compare(urls('absent-old', CALLS), urls('absent-new', CALLS)),
}

const idle = await loopStall(() => Bun.sleep(50))
// Rounds alternate which side goes first; each side's cell is the median round, and its worst.
const prefixRounds = { old: [] as Stall[], now: [] as Stall[] }
for (let round = 0; round < PREFIX_ROUNDS; round++) {
  const runOld = async () => prefixRounds.old.push(await loopStall(() => engine.deletePrefix(base(`/old-prefix-${round}/`))))
  const runNew = async () => prefixRounds.now.push(await loopStall(() => store.invalidatePrefix('api', `/new-prefix-${round}/`)))
  if (round % 2 === 0) await runOld().then(runNew)
  else await runNew().then(runOld)
}
const medianOf = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  )
const worstOf = (values: number[]) => Math.max(...values)

// A restart replays the journal: before, a delete and a prefix delete (a walk over every slot) per
// invalidated URL; after, the URL's plain deletes (one index probe each).
engine.listen(undefined)
const replayUrls = urls('replay', REPLAYED)
for (const path of replayUrls) storeUrl(path, true)
let replaying = performance.now()
for (const path of replayUrls) {
  engine.replay.delete(base(path))
  engine.replay.deletePrefix(base(path) + OLD_VARIANT_SEPARATOR)
}
const replayOldMs = (performance.now() - replaying) / REPLAYED
// The keys an invalidation now deletes are the ones storing wrote: the variants and their marker.
const storedKeys = new Set<string>()
engine.listen({ ...listener, written: (entry) => void storedKeys.add(entry.key) })
for (const path of replayUrls) storeUrl(path, true)
engine.listen(undefined)
replaying = performance.now()
for (const key of storedKeys) engine.replay.delete(key)
const replayNewMs = (performance.now() - replaying) / REPLAYED
const replayedItems = engine.stats().items

/** Median / p99 / max of the calls, in ms (or µs with `scale` 1000). */
function spread(calls: Calls, scale = 1): string {
  const sorted = [...calls.times].sort((a, b) => a - b)
  return [percentile(sorted, 0.5), percentile(sorted, 0.99), sorted.at(-1)!].map((ms) => f2(ms * scale)).join(' / ')
}
const row = (name: string, { old, now }: { old: Calls; now: Calls }) =>
  `| ${name} | ${spread(old)} | ${spread(now, 1000)} | ${f0(median(old) / median(now))}× |`
const perCall = (count: number) => f2(count / CALLS)
const records = ({ deletes, prefixDeletes }: Calls) => `${perCall(deletes)} deletes, ${perCall(prefixDeletes)} prefix deletes`
const stallCell = (rounds: Stall[], field: keyof Stall) =>
  `${f2(medianOf(rounds.map((round) => round[field])))} / ${f2(worstOf(rounds.map((round) => round[field])))} ms`
const when = new Date().toISOString().slice(0, 16).replace('T', ' ')
const extrapolated = (msPerUrl: number) => `${f2((msPerUrl * 12_000) / 1000)} s`

const report = [
  '# Proxy invalidation in a large cache',
  '',
  `Command: \`bun run bench/proxy/invalidation.ts ${keys}\` (${when} UTC), ${cpus().length} cores, Bun ${Bun.version};`,
  "the engine and the proxy's store in one process.",
  `Load average (1, 5, 15 min) before the run: ${loadBefore.map(f2).join(', ')}; after: ${loadavg().map(f2).join(', ')}`,
  '(other work shares this machine: read the ratios and the idle row, not the absolute figures).',
  '',
  `The engine holds ${f0(items)} entries (${f0(keys)} key-value entries of 16 B, the rest proxied responses: plain URLs,`,
  `and URLs with ${VARIANTS.length} \`Vary: Accept-Language\` variants), filled in ${fillSeconds.toFixed(1)} s.`,
  '"Before" makes the engine calls the proxy made until now; "after" calls today\'s `ProxyStore`. Same engine, same run.',
  '',
  '## One URL (a successful unsafe request through the proxy, or a purge by URL)',
  '',
  `${CALLS} calls a cell, each on its own stored URL, in two halves run in opposite orders. Per call: median / p99 / max.`,
  '',
  '| URL | before (ms) | after (µs) | before ÷ after (median) |',
  '|---|--:|--:|--:|',
  row('plain response', perUrl.plain),
  row(`${VARIANTS.length} Vary variants`, perUrl.vary),
  row('nothing stored', perUrl.nothing),
  '',
  'Journaled per call (what the next start replays):',
  '',
  '| URL | before | after |',
  '|---|---|---|',
  `| plain response | ${records(perUrl.plain.old)} | ${records(perUrl.plain.now)} |`,
  `| ${VARIANTS.length} Vary variants | ${records(perUrl.vary.old)} | ${records(perUrl.vary.now)} |`,
  `| nothing stored | ${records(perUrl.nothing.old)} | ${records(perUrl.nothing.now)} |`,
  '',
  '## Purge by prefix',
  '',
  `A prefix matching ${f0(PREFIX_URLS)} URLs (half with ${VARIANTS.length} variants) among all the entries, ${PREFIX_ROUNDS} rounds`,
  '(each on its own prefix, the two sides taking turns to go first): median round / worst round. The stall is the longest the',
  'event loop went without running a `setImmediate` callback during the purge: how long any request could have waited on it.',
  '',
  '| | before | after |',
  '|---|--:|--:|',
  `| whole purge | ${stallCell(prefixRounds.old, 'totalMs')} | ${stallCell(prefixRounds.now, 'totalMs')} |`,
  `| longest event-loop stall | **${stallCell(prefixRounds.old, 'longestStallMs')}** |` +
    ` **${stallCell(prefixRounds.now, 'longestStallMs')}** |`,
  '',
  `The same monitor over 50 ms of an idle loop (scheduler noise, GC): longest stall ${f2(idle.longestStallMs)} ms.`,
  '',
  '## Restart: replaying what invalidations journaled',
  '',
  `${REPLAYED} invalidated URLs with ${VARIANTS.length} variants each, replayed with the calls the loader makes (\`engine.replay\`);`,
  `${f0(storedKeys.size)} plain deletes after, ${f0(replayedItems)} entries left.`,
  '',
  '| | before (a delete and a prefix delete per URL) | after (plain deletes) |',
  '|---|--:|--:|',
  `| replay per invalidated URL | ${f2(replayOldMs)} ms | ${f2(replayNewMs * 1000)} µs |`,
  `| 12,000 invalidations (the issue's restart), extrapolated | ${extrapolated(replayOldMs)} | ${extrapolated(replayNewMs)} |`,
  '',
]
writeFileSync(join(import.meta.dir, '..', 'RESULTS-proxy-invalidation.md'), report.join('\n'))
process.stdout.write(report.join('\n'))
