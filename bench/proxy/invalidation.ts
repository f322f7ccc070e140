// What invalidating proxied responses costs in a large cache (issue #11): one URL (what every
// successful POST/PUT/DELETE through the proxy and every purge by URL does), a purge by prefix, and
// replaying the journal those leave behind at the next start. "Before" makes the engine calls the
// proxy made until now (a delete plus a prefix delete per URL; one prefix delete per prefix purge),
// "after" calls today's ProxyStore, both on the same engine in the same run.
// Usage: bun run bench/proxy/invalidation.ts [keys=1000000]
import { writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { CacheEngine, type MutationListener } from '../../src/cache'
import { ProxyStore } from '../../src/modules/proxy/proxy-store'
import type { StoredResponse } from '../../src/modules/proxy/stored-response'
import { f0, f2, ratio } from '../http/format'

const keys = Number(process.argv[2] ?? 1_000_000)
const CALLS = 200
const PREFIX_URLS = 1000
const REPLAYED = 100
const VARIANTS = ['en', 'fr', 'de', 'it']
const OLD_VARIANT_SEPARATOR = '\u0002'

const engine = new CacheEngine({ maxBytes: 8 * 1024 ** 3, sweepIntervalMs: 0 })
const store = new ProxyStore(engine)
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
  else for (const language of VARIANTS) store.store(base(path), ['accept-language'], new Headers({ 'accept-language': language }), response, 3_600_000)
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

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!

/** Times `call` once per path; returns median, p99 and max ms and the records journaled per call. */
function timePerCall(paths: string[], call: (path: string) => unknown) {
  journaled.deletes = 0
  journaled.prefixDeletes = 0
  const times: number[] = []
  for (const path of paths) {
    const started = performance.now()
    call(path)
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  return { median: percentile(times, 0.5), p99: percentile(times, 0.99), max: times.at(-1)!, deletes: journaled.deletes / paths.length, prefixDeletes: journaled.prefixDeletes / paths.length }
}

/** The longest the event loop went without running a 0 ms timer while `work` ran, and how long `work` took. */
async function loopStall(work: () => unknown): Promise<{ totalMs: number; longestStallMs: number }> {
  let last = performance.now()
  let longest = 0
  let running = true
  const tick = () => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
    if (running) setTimeout(tick, 0)
  }
  setTimeout(tick, 0)
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

const filling = performance.now()
const value = new Uint8Array(16).fill(120)
for (let i = 0; i < keys; i++) engine.set(`key:${i}`, value, 'application/octet-stream')
const urls = (name: string, count: number) => Array.from({ length: count }, (_, i) => `/${name}/${i}`)
const sets = {
  oldPlain: urls('old-plain', CALLS),
  newPlain: urls('new-plain', CALLS),
  oldVary: urls('old-vary', CALLS),
  newVary: urls('new-vary', CALLS),
}
for (const path of [...sets.oldPlain, ...sets.newPlain]) storeUrl(path, false)
for (const path of [...sets.oldVary, ...sets.newVary]) storeUrl(path, true)
for (let i = 0; i < PREFIX_URLS; i++) {
  storeUrl(`/old-prefix/${i}`, i % 2 === 0)
  storeUrl(`/new-prefix/${i}`, i % 2 === 0)
}
const fillSeconds = (performance.now() - filling) / 1000
const items = engine.stats().items
engine.listen(listener)

// Warm-up on URLs of their own: both sides run compiled code when timed.
for (const path of urls('warm', 20)) storeUrl(path, true)
timePerCall(urls('warm', 10), oldInvalidate)
timePerCall(urls('warm', 20).slice(10), newInvalidate)

// One URL, in alternating order so neither side always runs on a warmer heap.
const perUrl = {
  plain: { old: timePerCall(sets.oldPlain.slice(0, CALLS / 2), oldInvalidate), new: timePerCall(sets.newPlain.slice(0, CALLS / 2), newInvalidate) },
  vary: { old: timePerCall(sets.oldVary.slice(0, CALLS / 2), oldInvalidate), new: timePerCall(sets.newVary.slice(0, CALLS / 2), newInvalidate) },
  nothing: { old: timePerCall(urls('absent-old', CALLS), oldInvalidate), new: timePerCall(urls('absent-new', CALLS), newInvalidate) },
}
const second = {
  plain: { new: timePerCall(sets.newPlain.slice(CALLS / 2), newInvalidate), old: timePerCall(sets.oldPlain.slice(CALLS / 2), oldInvalidate) },
  vary: { new: timePerCall(sets.newVary.slice(CALLS / 2), newInvalidate), old: timePerCall(sets.oldVary.slice(CALLS / 2), oldInvalidate) },
}
const medianOf = (a: number, b: number) => (a + b) / 2

const idle = await loopStall(() => Bun.sleep(50))
const prefixOld = await loopStall(() => engine.deletePrefix(base('/old-prefix/')))
const prefixNew = await loopStall(() => store.invalidatePrefix('api', '/new-prefix/'))

// A restart replays the journal: before, one prefix-delete record (a walk over every slot) per
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

const row = (name: string, old: { median: number; p99: number; max: number }, now: { median: number; p99: number; max: number }) =>
  `| ${name} | ${f2(old.median)} / ${f2(old.p99)} / ${f2(old.max)} | ${f2(now.median * 1000)} / ${f2(now.p99 * 1000)} / ${f2(now.max * 1000)} | ${ratio(old.median / now.median)} |`
const records = (cell: { deletes: number; prefixDeletes: number }) => `${f2(cell.deletes)} deletes, ${f2(cell.prefixDeletes)} prefix deletes`
const merged = (a: ReturnType<typeof timePerCall>, b: ReturnType<typeof timePerCall>) => ({
  median: medianOf(a.median, b.median),
  p99: Math.max(a.p99, b.p99),
  max: Math.max(a.max, b.max),
  deletes: medianOf(a.deletes, b.deletes),
  prefixDeletes: medianOf(a.prefixDeletes, b.prefixDeletes),
})
const plainOld = merged(perUrl.plain.old, second.plain.old)
const plainNew = merged(perUrl.plain.new, second.plain.new)
const varyOld = merged(perUrl.vary.old, second.vary.old)
const varyNew = merged(perUrl.vary.new, second.vary.new)

const report = [
  '# Proxy invalidation in a large cache',
  '',
  `Command: \`bun run bench/proxy/invalidation.ts ${keys}\` (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC), ${cpus().length} cores, Bun ${Bun.version}; the engine and the proxy's store in one process.`,
  '',
  `The engine holds ${f0(items)} entries (${f0(keys)} key-value entries of 16 B, the rest proxied responses: plain URLs, and URLs with ${VARIANTS.length} \`Vary: Accept-Language\` variants), filled in ${fillSeconds.toFixed(1)} s.`,
  '"Before" makes the engine calls the proxy made until now; "after" calls today\'s `ProxyStore`. Same engine, same run.',
  '',
  '## One URL (a successful unsafe request through the proxy, or a purge by URL)',
  '',
  `${CALLS} calls a cell, each on its own stored URL, in two halves run in opposite orders. Times per call: median / p99 / max.`,
  '',
  '| URL | before (ms) | after (µs) | before ÷ after (median) |',
  '|---|--:|--:|--:|',
  row('plain response', plainOld, plainNew),
  row(`${VARIANTS.length} Vary variants`, varyOld, varyNew),
  row('nothing stored', perUrl.nothing.old, perUrl.nothing.new),
  '',
  'Journaled per call (what the next start replays):',
  '',
  '| URL | before | after |',
  '|---|---|---|',
  `| plain response | ${records(plainOld)} | ${records(plainNew)} |`,
  `| ${VARIANTS.length} Vary variants | ${records(varyOld)} | ${records(varyNew)} |`,
  `| nothing stored | ${records(perUrl.nothing.old)} | ${records(perUrl.nothing.new)} |`,
  '',
  '## Purge by prefix',
  '',
  `A prefix matching ${f0(PREFIX_URLS)} URLs (half with ${VARIANTS.length} variants) among all the entries. The stall is the longest the event loop`,
  'went without running a 0 ms timer during the purge: how long any request could have waited on it.',
  '',
  '| | before | after |',
  '|---|--:|--:|',
  `| whole purge | ${f2(prefixOld.totalMs)} ms | ${f2(prefixNew.totalMs)} ms |`,
  `| longest event-loop stall | **${f2(prefixOld.longestStallMs)} ms** | **${f2(prefixNew.longestStallMs)} ms** |`,
  '',
  `The same monitor over 50 ms of an idle loop (timer and scheduler noise): longest stall ${f2(idle.longestStallMs)} ms.`,
  '',
  '## Restart: replaying what invalidations journaled',
  '',
  `${REPLAYED} invalidated URLs with ${VARIANTS.length} variants each, replayed with the calls the loader makes (\`engine.replay\`); ${f0(storedKeys.size)} plain deletes after, ${f0(replayedItems)} entries left.`,
  '',
  '| | before (a delete and a prefix delete per URL) | after (plain deletes) |',
  '|---|--:|--:|',
  `| replay per invalidated URL | ${f2(replayOldMs)} ms | ${f2(replayNewMs * 1000)} µs |`,
  `| 12,000 invalidations (the issue's restart), extrapolated | ${f2((replayOldMs * 12_000) / 1000)} s | ${f2((replayNewMs * 12_000) / 1000)} s |`,
  '',
]
writeFileSync(join(import.meta.dir, '..', 'RESULTS-proxy-invalidation.md'), report.join('\n'))
process.stdout.write(report.join('\n'))
