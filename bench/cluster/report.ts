// Renders bench/RESULTS-cluster.md: the target and whether it holds, one table per measurement, the
// instances' own counters that say what each run measured, and every round.
import { f0, f2, ratio as x } from '../http/format'
import { runHeader } from '../http/run-header'
import type { RunInfo as CommonRunInfo } from '../http/run-info'
import type { Load } from '../http/wrk'
import type { InvalidationResult } from './invalidation'
import type { NearHitResult } from './near-hits'
import type { RedisServedResult } from './redis-served'
import { median } from './stats'
import type { Cell } from './throughput'

export interface RunInfo extends CommonRunInfo {
  redis: string
  load: Load
  rounds: number
  keys: number
  size: number
  maxMemory: string
  /** --near-cache-ttl of A and B, in seconds. */
  nearTtlS: number
  pollMs: number
  /** redis-benchmark --threads (1: its default, a single client thread). */
  rbThreads: number
  /** The flags of each instance after --host/--port, by name. */
  flags: Record<string, string[]>
}

export interface Report {
  info: RunInfo
  near: NearHitResult
  redis: RedisServedResult
  invalidation: InvalidationResult
}

/** The issue's bound: near-cache hits at least this share of the standalone instance's req/s. */
export const TARGET_RATIO = 0.9

const pct = (n: number) => `${Math.round(n * 100)}%`

function target(report: Report): { measured: string; holds: boolean | undefined } {
  const { near } = report
  if (near.problem) return { measured: `not measured: ${near.problem}`, holds: undefined }
  return { measured: `${x(near.ratio)} (B ${f0(near.b.rps)} req/s, S ${f0(near.s.rps)} req/s)`, holds: near.ratio >= TARGET_RATIO }
}

const holdsText = (holds: boolean | undefined) => (holds === undefined ? 'not measured' : holds ? '**yes**' : '**no**')

function cells(report: Report): Cell[] {
  const { near, redis } = report
  return [near.b, near.s, redis.c, redis.s, redis.redisGet, ...(redis.redisScript ? [redis.redisScript] : [])]
}

const LABELS = (report: Report): Map<Cell, string> =>
  new Map<Cell, string>([
    [report.near.b, 'near hits: B (on Redis, near cache full)'],
    [report.near.s, 'near hits: S (standalone)'],
    [report.redis.c, 'from Redis: C (near cache off)'],
    [report.redis.s, 'from Redis: S (standalone)'],
    [report.redis.redisGet, 'from Redis: redis-benchmark GET'],
    ...(report.redis.redisScript
      ? ([[report.redis.redisScript, 'from Redis: redis-benchmark EVALSHA of the GET script']] as [Cell, string][])
      : []),
  ])

function nearTable(report: Report): string {
  const { near } = report
  const lines = [
    '| instance | req/s | p50 ms | p99 ms | spread of rounds | B ÷ S (median of per-round ratios) |',
    '|---|--:|--:|--:|--:|--:|',
    `| B: on Redis, every key in its near cache | ${f0(near.b.rps)} | ${f2(near.b.p50Ms)} | ${f2(near.b.p99Ms)} | ${pct(near.b.spread)} | ${x(near.ratio)} |`,
    `| S: standalone (in memory only) | ${f0(near.s.rps)} | ${f2(near.s.p50Ms)} | ${f2(near.s.p99Ms)} | ${pct(near.s.spread)} | |`,
    '',
    `B’s tier counters over the measured rounds: ${f0(near.counters.nearHits)} near hits, ${f0(near.counters.redisHits)} Redis hits, ` +
      `${f0(near.counters.misses)} misses, ${f0(near.counters.redisErrors)} Redis errors, for ${f0(near.requests)} requests wrk completed ` +
      `(near hits exceed them by the requests still in flight when wrk stopped). The rounds ended ${near.secondsAfterWarm.toFixed(0)} s after ` +
      `B’s near cache was filled, within its ${report.info.nearTtlS} s TTL.`,
  ]
  if (near.problem) lines.push('', `**Not trusted**: ${near.problem}.`)
  return lines.join('\n')
}

function redisTable(report: Report): string {
  const { redis } = report
  const row = (name: string, cell: Cell, ratio: string) =>
    `| ${name} | ${f0(cell.rps)} | ${f2(cell.p50Ms)} | ${f2(cell.p99Ms)} | ${pct(cell.spread)} | ${ratio} |`
  const lines = [
    '| what | req/s | p50 ms | p99 ms | spread of rounds | C ÷ this (median of per-round ratios) |',
    '|---|--:|--:|--:|--:|--:|',
    row('C: on Redis, near cache off (`--near-cache-ttl 0`), over HTTP', redis.c, ''),
    row('S: standalone, over HTTP', redis.s, x(redis.cOverS)),
    row('Redis alone: `redis-benchmark` GET of a 100-byte string', redis.redisGet, x(redis.cOverRedisGet)),
  ]
  if (redis.redisScript)
    lines.push(
      row('Redis alone: `redis-benchmark` EVALSHA of fastcache’s GET script on one entry', redis.redisScript, x(redis.cOverRedisScript)),
    )
  lines.push(
    '',
    `C’s tier counters over the measured rounds: ${f0(redis.counters.redisHits)} Redis hits, ${f0(redis.counters.nearHits)} near hits, ` +
      `${f0(redis.counters.misses)} misses, ${f0(redis.counters.redisErrors)} Redis errors, for ${f0(redis.requests)} requests wrk completed.`,
    '',
    `redis-benchmark commands: \`${redis.commands.get}\`${redis.commands.script ? `; \`${redis.commands.script}\`.` : '.'}`,
  )
  if (redis.note) lines.push('', `Note: ${redis.note}.`)
  if (redis.problem) lines.push('', `**Not trusted**: ${redis.problem}.`)
  return lines.join('\n')
}

function invalidationTable(report: Report): string {
  const inv = report.invalidation
  const lines = [
    '| bound | p50 ms | p99 ms | max ms |',
    '|---|--:|--:|--:|',
    `| upper: A’s ack → end of B’s first read with the new value | ${f2(inv.p50Ms)} | ${f2(inv.p99Ms)} | ${f2(inv.maxMs)} |`,
    `| lower: A’s ack → start of B’s last read with the old value (0 when none) | ${f2(inv.lowerP50Ms)} | ${f2(inv.lowerP99Ms)} | ${f2(inv.lowerMaxMs)} |`,
    '',
    `Over ${inv.samples} writes: B’s first read after the ack was already new for ${inv.freshAtFirstRead}; B answered the old value ${inv.staleReads} time(s) ` +
      `after an ack in all; ${inv.timeouts} write(s) not seen on B within the timeout. One near-hit GET on B from this client takes ${f2(inv.getMs)} ms (median), ` +
      'and the first read after an invalidation goes to Redis, so a write seen at the first read shows up as about one Redis-served GET.',
    '',
    `Counters over these writes: A sent ${inv.counters.a.invalidationsSent} invalidations, B received ${inv.counters.b.invalidationsReceived}.`,
  ]
  if (inv.problem) lines.push('', `**Not trusted**: ${inv.problem}.`)
  return lines.join('\n')
}

function roundsTable(report: Report): string {
  const labels = LABELS(report)
  const lines = ['| measurement | req/s of each round | p99 ms of each round |', '|---|---|---|']
  for (const cell of cells(report)) {
    lines.push(
      `| ${labels.get(cell)} | ${cell.rounds.map((m) => f0(m.rps)).join(', ')} | ${cell.rounds.map((m) => f2(m.p99Ms)).join(', ')} |`,
    )
  }
  return lines.join('\n')
}

export function renderReport(report: Report): string {
  const { info } = report
  const load = info.load
  const t = target(report)
  const spreads = cells(report).map((c) => c.spread)
  const flags = (name: string) =>
    `\`dist/fastcache --host 127.0.0.1 --port <free> ${(info.flags[name] ?? []).join(' ').replace(/redis:\/\/127\.0\.0\.1:\d+/, 'redis://127.0.0.1:<redis>')}\``
  return [
    ...runHeader('Cluster benchmark: two fastcache instances on one Redis against a standalone instance', info, [info.redis]),
    '',
    `Throughput: \`wrk -t${load.threads} -c${load.connections} -d${load.durationS}s\` GETs of ${f0(info.keys)} keys of ${info.size} B drawn uniformly ` +
      `(\`bench/http/lua/get.lua\`), ${info.rounds} round(s) with the sides of a table taking turns in a rotating order; req/s, p50 and p99 are medians ` +
      'of the rounds, each on its own, and ratios are medians of the per-round ratios. Everything (wrk, the instances, Redis, redis-benchmark) shares the ' +
      'same cores and 127.0.0.1, so absolute numbers are low; the ratios are the point.',
    info.rounds < 2
      ? 'Noise: not measured (one round per measurement).'
      : `Noise: the rounds of a measurement differ by ${pct(median(spreads))} of its median req/s (median over measurements; worst ${pct(Math.max(...spreads))}, ` +
        'see “Every round”), so a verdict within that distance of its bound can flip from one run to the next.',
    '',
    '## Target',
    '',
    '| target | measured | holds |',
    '|---|---|---|',
    `| near-cache hits ≥ ${TARGET_RATIO}x the standalone instance (req/s) | ${t.measured} | ${holdsText(t.holds)} |`,
    '',
    '## Near-cache hits',
    '',
    nearTable(report),
    '',
    '## Near-cache misses served from Redis',
    '',
    redisTable(report),
    '',
    '## Invalidation delay',
    '',
    `How long after A acknowledged a PUT B still served its old near copy, B polled every ${info.pollMs} ms from one client. The true delay lies ` +
      'between the two bounds; the upper one includes B’s first new read itself, which B answers from Redis since its near copy was dropped. ' +
      'A publishes the invalidation as soon as Redis has acknowledged the write, before it answers the PUT, so B can have it before the client’s next request arrives.',
    '',
    invalidationTable(report),
    '',
    '## What is measured',
    '',
    `- **Redis**: one \`redis-server\` (${info.redis.replace(/^Redis server /, '')}) on a free loopback port, no persistence (\`--save "" --appendonly no\`), in a scratch directory.`,
    `- **A** and **B**: ${flags('A')}, both on that Redis with a near cache of ${info.nearTtlS} s (long enough that B’s near copies outlive the near-hit rounds).`,
    `- **C**: ${flags('C')}: near cache off, so every GET is one Redis round trip (fastcache’s GET script, \`EVALSHA\` of an \`HMGET\` + \`PTTL\`).`,
    `- **S**: ${flags('S')}: standalone, entries in its own memory, as fastcache runs without \`--redis\`.`,
    `- Preload: ${f0(info.keys)} keys \`key:0\` … of ${info.size} B, PUT through A (so into Redis) and, separately, PUT to S. Before each phase every key is read once ` +
      'through the instance measured (B, then C) and checked to be the preloaded bytes: that fills B’s near cache and proves the instances share the data.',
    '- **Near-cache hits**: B against S, after an untimed 1 s wrk warm-up of each. B’s `/v1/stats` tier counters before and after the rounds must show only near hits.',
    '- **Near-cache misses served from Redis**: C against S, and Redis alone measured by `redis-benchmark` on the same server in the same rounds: a plain GET of a ' +
      `${info.size}-byte string (Redis’s own ceiling; no HTTP, no script) and, where key:0 is a fastcache hash, EVALSHA of fastcache’s GET script ` +
      '(what each of C’s reads costs Redis). redis-benchmark runs with -P 1 (no pipelining) and ' +
      (info.rbThreads > 1
        ? `${info.rbThreads} client threads`
        : 'one client thread (wrk runs two), so on a small machine its figure can be the client’s limit rather than Redis’s') +
      '.',
    `- **Invalidation delay**: ${report.invalidation.samples} writes, one at a time, over key:0, key:1, …: B reads the key twice (the second read is a near hit), ` +
      `A PUTs a new value, then B is polled (every ${info.pollMs} ms, paced from the start of each poll) until it answers the new value. A write not seen within ` +
      'the timeout would count as not invalidated (B would otherwise serve its old copy until the near-cache TTL).',
    '- Rounds with socket errors or non-2xx answers, or counters that show the wrong kind of read, are marked as not trusted and left out of the target.',
    '',
    '## Every round',
    '',
    roundsTable(report),
    '',
  ].join('\n')
}

/** The terminal summary: the target and the headline figures. */
export function headline(report: Report): string {
  const { near, redis, invalidation: inv } = report
  const t = target(report)
  return [
    `near hits:   B ${f0(near.b.rps)} req/s, S ${f0(near.s.rps)} req/s, B ÷ S ${x(near.ratio)}${near.problem ? ` (not trusted: ${near.problem})` : ''}`,
    `from Redis:  C ${f0(redis.c.rps)} req/s, S ${f0(redis.s.rps)} req/s, redis-benchmark GET ${f0(redis.redisGet.rps)} req/s` +
      (redis.redisScript ? `, EVALSHA ${f0(redis.redisScript.rps)} req/s` : '') +
      `; C ÷ S ${x(redis.cOverS)}, C ÷ redis GET ${x(redis.cOverRedisGet)}${redis.problem ? ` (not trusted: ${redis.problem})` : ''}`,
    `invalidation: p50 ${f2(inv.p50Ms)} ms, p99 ${f2(inv.p99Ms)} ms, max ${f2(inv.maxMs)} ms (upper bounds) over ${inv.samples} writes, ` +
      `${inv.staleReads} stale read(s) after an ack${inv.problem ? ` (${inv.problem})` : ''}`,
    `${t.holds === undefined ? '  -' : t.holds ? ' ok' : 'NOT'} near-cache hits ≥ ${TARGET_RATIO}x the standalone instance: ${t.measured}`,
  ].join('\n')
}
