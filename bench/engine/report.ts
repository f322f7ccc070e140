// The report of bench/engine-memory.ts: what was measured, against which target, and every figure.
import { ENTRY_OVERHEAD_BYTES } from '../../src/cache'
import { f0, f1, f2, ratio } from '../http/format'
import { runHeader } from '../http/run-header'
import type { RunInfo } from '../http/run-info'
import { median } from '../http/stats'
import type { FillConfig, FillResult } from './fill'
import type { OverloadConfig, OverloadResult } from './overload'
import type { RedisResult } from './redis'
import { WORKLOADS, type SpeedResult } from './speed'

export interface RedisComparison {
  entries: number
  valueBytes: number
  engine: FillResult[]
  map: FillResult[]
  redis: RedisResult[]
}

export interface ChargeRow {
  config: FillConfig
  samples: FillResult[]
}

export interface OverloadRow {
  config: OverloadConfig
  result: OverloadResult
  /** The same writes with no engine: what the loop's own garbage leaves in RSS. */
  churn: OverloadResult
}

export interface EngineReport {
  info: RunInfo & { redis: string }
  redis?: RedisComparison
  charge?: ChargeRow[]
  overload?: OverloadRow[]
  speed?: { entries: number; operations: number; rounds: number; result: SpeedResult }
}

const MiB = 1024 * 1024
const mib = (bytes: number) => f1(bytes / MiB)
const size = (bytes: number) =>
  bytes >= 1024 * MiB
    ? `${bytes / (1024 * MiB)} GiB`
    : bytes >= MiB
      ? `${bytes / MiB} MiB`
      : bytes >= 1024
        ? `${bytes / 1024} KiB`
        : `${bytes} B`
const med = <T>(samples: T[], read: (sample: T) => number) => median(samples.map(read))

const highest = (r: OverloadResult) => Math.max(r.maxRss, r.peakRss) - r.idleRss
/** RSS growth of the engine's process against the bound, at its highest (sampled, or VmHWM when higher). */
export const overloadRatio = (row: OverloadRow) => highest(row.result) / row.config.bound
/** The same for the loop without an engine. */
export const churnRatio = (row: OverloadRow) => highest(row.churn) / row.config.bound
/** Settled RSS growth against the bound, of the engine's run and of the loop alone. */
const settledRatio = (r: OverloadResult, bound: number) => (r.endRss - r.idleRss) / bound
/**
 * Real memory per entry over the charge: RSS growth, what the operating system gives the process. (Heap
 * growth misses the slot and policy arrays: they are sized from the bound when the engine is made, and
 * JSC counts their full size then, while their pages take memory only as slots are used.)
 */
export const chargeAccuracy = (row: ChargeRow) => med(row.samples, (s) => s.rss) / med(row.samples, (s) => s.charged)
export const speedRatio = (speed: NonNullable<EngineReport['speed']>, workload: (typeof WORKLOADS)[number]) =>
  median(speed.result[workload].engine) / median(speed.result[workload]['lru-cache'])

export function renderReport(report: EngineReport): string {
  const out = [
    ...runHeader('Engine memory and speed: the arena against Redis and lru-cache', report.info, [report.info.redis]),
    '',
    'Every measurement runs in a fresh child process (memory is never measured in a process that held',
    'something else before). Figures are medians over the runs; RSS is VmRSS after a full collection,',
    'sampled until it stops moving.',
  ]
  out.push('', '## Targets', '', '| target | measured | met |', '|---|---|---|')
  if (report.redis) {
    const r = report.redis
    const engine = med(r.engine, (s) => s.rss)
    const redis = med(r.redis, (s) => s.rss)
    out.push(
      `| RSS per key at ${f0(r.entries)} keys × ${r.valueBytes} B ≤ Redis’s (stretch: 0.9×) | ${f0(engine)} B against ${f0(redis)} B: ${ratio(engine / redis)} | ${engine <= redis ? '**yes**' : '**no**'}${engine <= 0.9 * redis ? ' (stretch too)' : ''} |`,
    )
  }
  if (report.charge) {
    const accuracies = report.charge.map(chargeAccuracy)
    const worst = accuracies.reduce((a, b) => (Math.abs(b - 1) > Math.abs(a - 1) ? b : a), 1)
    out.push(
      `| the charge per entry within ±10% of real memory | real / charged from ${f2(Math.min(...accuracies))} to ${f2(Math.max(...accuracies))} | ${Math.abs(worst - 1) <= 0.1 ? '**yes**' : '**no**'} |`,
    )
  }
  if (report.overload) {
    const worst = Math.max(...report.overload.map(overloadRatio))
    const settled = Math.max(...report.overload.map((row) => settledRatio(row.result, row.config.bound)))
    const charged = report.overload.every((row) => row.result.maxCharged <= row.config.bound)
    out.push(
      `| written at 5× the bound: RSS − idle RSS ≤ 1.15 × bound, at its highest | at most ${ratio(worst)} | ${worst <= 1.15 ? '**yes**' : '**no**'} |`,
    )
    out.push(`| … once settled after the writes | at most ${ratio(settled)} | ${settled <= 1.15 ? '**yes**' : '**no**'} |`)
    const own = Math.max(...report.overload.map((row) => overloadRatio(row) - churnRatio(row)))
    out.push(
      `| … without what the loop’s own garbage leaves (estimate), at its highest | at most ${ratio(own)} | ${own <= 1.15 ? '**yes**' : '**no**'} |`,
    )
    out.push(
      `| … and charged bytes never above the bound | ${charged ? 'never above' : 'above in some run'} | ${charged ? '**yes**' : '**no**'} |`,
    )
  }
  if (report.speed) {
    for (const workload of WORKLOADS) {
      const r = speedRatio(report.speed, workload)
      out.push(`| engine ops/s ≥ lru-cache (max), ${workload} | ${ratio(r)} | ${r >= 1 ? '**yes**' : '**no**'} |`)
    }
  }

  if (report.redis) {
    const r = report.redis
    out.push(
      '',
      `## RSS per key against Redis (${f0(r.entries)} keys, ${r.valueBytes}-byte values)`,
      '',
      `The keys and values bench:http loads into Redis: \`key:0\` … \`key:${r.entries - 1}\` (${f1(med(r.engine, (s) => s.keyBytes))} B on average)`,
      'and ASCII values. Redis: a fresh `redis-server` on loopback (no persistence), loaded with',
      '`redis-cli --pipe`, RSS of its process before and after. The engine and a bare `Map<string, Uint8Array>`:',
      'RSS of a fresh Bun process before and after `set` of each key.',
      '',
      '| store | RSS per key | heap per key | charged per key | arena per key | GC objects per key | load time |',
      '|---|--:|--:|--:|--:|--:|--:|',
      `| fastcache engine | ${f0(med(r.engine, (s) => s.rss))} B | ${f0(med(r.engine, (s) => s.heap))} B | ${f0(med(r.engine, (s) => s.charged))} B | ${f0(med(r.engine, (s) => s.arena))} B | ${f2(med(r.engine, (s) => s.objects))} | ${f1(med(r.engine, (s) => s.seconds))} s |`,
      `| Map<string, Uint8Array> | ${f0(med(r.map, (s) => s.rss))} B | ${f0(med(r.map, (s) => s.heap))} B | | | ${f2(med(r.map, (s) => s.objects))} | ${f1(med(r.map, (s) => s.seconds))} s |`,
      `| ${report.info.redis} | ${f0(med(r.redis, (s) => s.rss))} B | (used_memory ${f0(med(r.redis, (s) => s.usedMemory))} B) | | | | ${f1(med(r.redis, (s) => s.seconds))} s |`,
      '',
      `Every run (RSS per key): engine ${r.engine.map((s) => f0(s.rss)).join(' / ')}; Map ${r.map.map((s) => f0(s.rss)).join(' / ')}; Redis ${r.redis.map((s) => f0(s.rss)).join(' / ')}.`,
    )
  }

  if (report.charge) {
    out.push(
      '',
      `## What one entry costs, against its charge (ENTRY_OVERHEAD_BYTES = ${ENTRY_OVERHEAD_BYTES})`,
      '',
      'Growth per entry of a fresh process filled with fixed-width keys. *RSS* is what the operating system',
      'gives the process: the measure of real memory the charge is held to. *heap* is JSC’s heapSize, which',
      'includes the arena’s buffers but not the slot and policy arrays (sized from the bound when the engine',
      'is made, counted by JSC then, in memory only as slots are used). *charged* is what the engine counts',
      'against the bound (key + value + ENTRY_OVERHEAD_BYTES). Entry counts just past a growth of the index',
      'or of the slot arrays show the worst point of their growth cycle.',
      '',
      '| entries | key B | value B | RSS per entry | charged | RSS / charged | heap per entry | arena per entry |',
      '|--:|--:|--:|--:|--:|--:|--:|--:|',
    )
    for (const row of report.charge) {
      const c = row.config
      const heap = med(row.samples, (s) => s.heap)
      const rss = med(row.samples, (s) => s.rss)
      const charged = med(row.samples, (s) => s.charged)
      out.push(
        `| ${f0(c.entries)} | ${c.keys} | ${c.valueBytes} | ${f0(rss)} | ${f0(charged)} | ${f2(rss / charged)} | ${f0(heap)} | ${f0(med(row.samples, (s) => s.arena))} |`,
      )
    }
  }

  if (report.overload) {
    out.push(
      '',
      '## The bound under overload',
      '',
      'An engine with the bound, written with 5× the bound in values of one size over uniformly drawn keys',
      'from a set 5× larger than what fits (as bench:soak writes). Idle RSS: the process with the engine',
      'made and warmed, nothing stored. Highest RSS: sampled every 1/256 of the writes, or the kernel’s',
      'peak (VmHWM) when higher; settled: after the writes, a full collection, sampled until it stops moving.',
      'The loop itself makes garbage (a key string per write and the result object the API returns); an',
      'eden collection every 8,192 writes keeps it down. *Loop alone* is the same loop with no engine in a',
      'process of its own: what that garbage leaves in RSS, which no storage design can remove. *Without the',
      'loop* subtracts it: an estimate of the engine’s own share (RSS does not add up exactly).',
      '',
      '| bound | value | writes | idle RSS (MiB) | highest RSS − idle | ÷ bound | settled ÷ bound | loop alone: highest, settled ÷ bound | without the loop: highest, settled ÷ bound | highest charged ÷ bound | arena at end (MiB) | cleaning copied ÷ written | writes/s |',
      '|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    )
    for (const row of report.overload) {
      const { config: c, result: r } = row
      const written = r.writes * c.valueBytes
      out.push(
        `| ${size(c.bound)} | ${size(c.valueBytes)} | ${f0(r.writes)} | ${mib(r.idleRss)} | ${mib(highest(r))} MiB | ${ratio(overloadRatio(row))} | ${ratio(settledRatio(r, c.bound))} | ` +
          `${ratio(churnRatio(row))}, ${ratio(settledRatio(row.churn, c.bound))} | ${ratio(overloadRatio(row) - churnRatio(row))}, ${ratio(settledRatio(r, c.bound) - settledRatio(row.churn, c.bound))} | ` +
          `${f2(r.maxCharged / c.bound)} | ${mib(r.arenaBytes)} | ${f2(r.movedBytes / written)} | ${f0(r.writes / r.seconds)} |`,
      )
    }
  }

  if (report.speed) {
    const s = report.speed
    out.push(
      '',
      `## Operations per second against lru-cache (${f0(s.entries)} entries, 100-byte values)`,
      '',
      `${f0(s.operations)} operations per round, ${s.rounds} counted rounds after a warm-up, the two contestants taking`,
      'turns round by round in one process. lru-cache is bounded by entry count (`max`), its fastest mode,',
      'and keeps a reference to the caller’s array; the engine copies values in and out. Keys uniform over the',
      'stored ones (twice as many for evicting sets, from full caches). “Keys reused” passes the same string',
      'objects every time (a Map then hashes nothing); “keys made per call” builds each key string, as a',
      'server parsing requests does.',
      '',
      '| workload | engine ops/s | lru-cache ops/s | engine ÷ lru-cache | every round (engine / lru-cache, M ops/s) |',
      '|---|--:|--:|--:|---|',
    )
    for (const workload of WORKLOADS) {
      const e = s.result[workload].engine
      const l = s.result[workload]['lru-cache']
      const rounds = e.map((x, i) => `${f2(x / 1e6)}/${f2(l[i]! / 1e6)}`).join(' ')
      out.push(`| ${workload} | ${f0(median(e))} | ${f0(median(l))} | ${ratio(median(e) / median(l))} | ${rounds} |`)
    }
  }
  return `${out.join('\n')}\n`
}
