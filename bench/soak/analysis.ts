// Turns the samples, the wrk slices and the server's status counts into the figures of the report
// and the verdicts the run is judged by.
import { median } from '../http/stats'
import { TICKS_PER_SECOND } from './cpu'
import type { Slice } from './drive'
import type { MissProbe } from './probe'
import type { Sample } from './sampler'
import { KV_ROUTE, isExpected, type StatusCount } from './statuses'

export interface Check {
  name: string
  measured: string
  holds: boolean
}

export interface MemoryFigures {
  maxBytes: number
  /** Highest charged bytes in any sample, when, and the items held then. */
  peakCharged: number
  peakChargedAtS: number
  peakItems: number
  /** First sample at ≥ 90% of the bound: when the overload began. */
  fullAtS?: number
  samples: number
  failedSamples: number
  rssStartKb: number
  rssAtFullKb?: number
  rssMiddleKb: number
  rssLastKb: number
  rssEndKb: number
  rssMaxKb: number
  /** VmHWM at the end: the peak between samples as well. */
  rssPeakKb?: number
  /** (median RSS of the last third) / (median of the middle third) − 1. */
  growth: number
  /** Least-squares slope of RSS over the second half of the run, MiB per minute. */
  slopeMiBPerMin: number
  /** The smallest per-request leak the growth bound would have caught, in bytes. */
  detectableLeakBytes: number
}

export interface RequestFigures {
  puts: number
  gets: number
  getMisses: number
  putNon2xx: number
  socketErrors: number
  /** The server's answers during the load, by route and status. */
  statuses: StatusCount[]
  kv404: number
  unexpected: StatusCount[]
  evictions: number
  sets: number
  hits: number
  misses: number
}

/** Where a slice's CPU went: to tell a server that got slower per request from one that got less CPU. */
export interface SliceCpu {
  /** The server's CPU time over the slice, % of one core. */
  serverCorePct: number
  /** The whole machine's busy time over the slice, % of all cores (wrk and other jobs included). */
  machineBusyPct: number
  /** The server's CPU time per answered request (PUT and GET), microseconds. */
  serverUsPerRequest: number
}

/** The first and the last third of the slices compared: medians of req/s (PUT + GET) and of CPU per request. */
export interface Trend {
  firstRps: number
  lastRps: number
  firstUsPerRequest: number
  lastUsPerRequest: number
}

export interface Analysis {
  memory: MemoryFigures
  requests: RequestFigures
  cpu: SliceCpu[]
  trend: Trend
  checks: Check[]
}

export interface AnalysisInput {
  samples: Sample[]
  slices: Slice[]
  /** Seconds the load ran (end of the last slice). */
  loadS: number
  statuses: StatusCount[]
  probe?: MissProbe
  aliveAtEnd: boolean
  health: number
  rssPeakKb?: number
  /** Allowed RSS growth from the middle to the last third, as a fraction. */
  growthBound: number
  cutShort?: string
}

const MiB = 1024 * 1024
const mib = (bytes: number) => (bytes / MiB).toFixed(1)
const n0 = (n: number) => Math.round(n).toLocaleString('en-US')

/** Least-squares slope of y over x. */
export function slope(points: { x: number; y: number }[]): number {
  const n = points.length
  if (n < 2) return Number.NaN
  const mx = points.reduce((s, p) => s + p.x, 0) / n
  const my = points.reduce((s, p) => s + p.y, 0) / n
  let num = 0
  let den = 0
  for (const p of points) {
    num += (p.x - mx) * (p.y - my)
    den += (p.x - mx) ** 2
  }
  return den === 0 ? Number.NaN : num / den
}

function memoryFigures(input: AnalysisInput, totalRps: number): MemoryFigures {
  const { samples, loadS } = input
  const withStats = samples.filter((s) => s.stats !== undefined)
  const withRss = samples.filter((s): s is Sample & { rssKb: number } => s.rssKb !== undefined)
  const maxBytes = withStats[0]?.stats?.maxBytes ?? Number.NaN
  let peak = withStats[0]
  for (const s of withStats) if (s.stats!.bytes > peak!.stats!.bytes) peak = s
  const full = withStats.find((s) => s.stats!.bytes >= 0.9 * s.stats!.maxBytes)
  const rssIn = (from: number, to: number) => withRss.filter((s) => s.t >= from && s.t <= to).map((s) => s.rssKb)
  const middle = median(rssIn(loadS / 3, (2 * loadS) / 3))
  const last = median(rssIn((2 * loadS) / 3, loadS))
  const secondHalf = withRss.filter((s) => s.t >= loadS / 2).map((s) => ({ x: s.t / 60, y: s.rssKb / 1024 }))
  const rssAtFull = full?.rssKb
  // A leak of L bytes per request grows RSS by L × req/s × (loadS / 3) between the two thirds' midpoints.
  const detectable = (input.growthBound * middle * 1024) / (totalRps * (loadS / 3))
  return {
    maxBytes,
    peakCharged: peak?.stats?.bytes ?? Number.NaN,
    peakChargedAtS: peak?.t ?? Number.NaN,
    peakItems: peak?.stats?.items ?? Number.NaN,
    fullAtS: full?.t,
    samples: samples.length,
    failedSamples: samples.filter((s) => s.error !== undefined).length,
    rssStartKb: withRss[0]?.rssKb ?? Number.NaN,
    rssAtFullKb: rssAtFull,
    rssMiddleKb: middle,
    rssLastKb: last,
    rssEndKb: withRss.at(-1)?.rssKb ?? Number.NaN,
    rssMaxKb: Math.max(...withRss.map((s) => s.rssKb)),
    rssPeakKb: input.rssPeakKb,
    growth: last / middle - 1,
    slopeMiBPerMin: slope(secondHalf),
    detectableLeakBytes: detectable,
  }
}

function requestFigures(input: AnalysisInput): RequestFigures {
  const sum = (f: (s: Slice) => number) => input.slices.reduce((total, s) => total + f(s), 0)
  const lastStats = input.samples.filter((s) => s.stats !== undefined).at(-1)?.stats
  const firstStats = input.samples.find((s) => s.stats !== undefined)?.stats
  const delta = (f: (s: NonNullable<typeof lastStats>) => number) => (lastStats && firstStats ? f(lastStats) - f(firstStats) : Number.NaN)
  return {
    puts: sum((s) => s.put.requests),
    gets: sum((s) => s.get.requests),
    getMisses: sum((s) => s.get.non2xx),
    putNon2xx: sum((s) => s.put.non2xx),
    socketErrors: sum((s) => s.put.socketErrors + s.get.socketErrors),
    statuses: input.statuses,
    kv404: input.statuses.filter((c) => c.route === KV_ROUTE && c.status === 404).reduce((t, c) => t + c.count, 0),
    unexpected: input.statuses.filter((c) => !isExpected(c)),
    evictions: delta((s) => s.evictions),
    sets: delta((s) => s.sets),
    hits: delta((s) => s.hits),
    misses: delta((s) => s.misses),
  }
}

/** CPU figures of a slice, from the first and the last sample inside it. */
function sliceCpu(samples: Sample[], slice: Slice): SliceCpu {
  const inside = samples.filter((s) => s.t >= slice.fromS && s.t <= slice.toS && s.cpuTicks !== undefined && s.machine !== undefined)
  const a = inside[0]
  const b = inside.at(-1)
  if (a === undefined || b === undefined || b.t - a.t < 0.5)
    return { serverCorePct: Number.NaN, machineBusyPct: Number.NaN, serverUsPerRequest: Number.NaN }
  const serverS = (b.cpuTicks! - a.cpuTicks!) / TICKS_PER_SECOND
  const total = b.machine!.total - a.machine!.total
  const rps = (slice.put.requests + slice.get.requests) / (slice.toS - slice.fromS)
  return {
    serverCorePct: (100 * serverS) / (b.t - a.t),
    machineBusyPct: total > 0 ? (100 * (b.machine!.busy - a.machine!.busy)) / total : Number.NaN,
    serverUsPerRequest: (1e6 * serverS) / (b.t - a.t) / rps,
  }
}

function trend(slices: Slice[], cpu: SliceCpu[]): Trend {
  const third = Math.max(1, Math.floor(slices.length / 3))
  const rps = slices.map((s) => (s.put.requests + s.get.requests) / (s.toS - s.fromS))
  const us = (part: SliceCpu[]) => median(part.map((c) => c.serverUsPerRequest).filter(Number.isFinite))
  return {
    firstRps: median(rps.slice(0, third)),
    lastRps: median(rps.slice(-third)),
    firstUsPerRequest: us(cpu.slice(0, third)),
    lastUsPerRequest: us(cpu.slice(-third)),
  }
}

export function analyse(input: AnalysisInput): Analysis {
  const loadRps = input.slices.reduce((t, s) => t + s.put.requests + s.get.requests, 0) / input.loadS
  const memory = memoryFigures(input, loadRps)
  const requests = requestFigures(input)
  const m = memory
  const r = requests
  const pct = (f: number) => `${f >= 0 ? '+' : ''}${(100 * f).toFixed(1)}%`
  const checks: Check[] = [
    {
      name: 'the run overloaded the cache (evictions, and charged bytes reached ≥ 90% of the bound)',
      measured: `${n0(r.evictions)} evictions; full from ${m.fullAtS === undefined ? 'never' : `${m.fullAtS.toFixed(0)} s`}`,
      holds: r.evictions > 0 && m.fullAtS !== undefined,
    },
    {
      name: '(a) charged bytes ≤ the bound in every sample',
      measured: `max ${n0(m.peakCharged)} B (${mib(m.peakCharged)} MiB) of ${n0(m.maxBytes)} B (${mib(m.maxBytes)} MiB), ${m.samples - m.failedSamples} samples`,
      holds: m.peakCharged <= m.maxBytes && m.samples - m.failedSamples > 0,
    },
    {
      name: `(b) RSS levels off: median of the last third ≤ ${(100 * (1 + input.growthBound)).toFixed(0)}% of the middle third’s`,
      measured: `${mib(m.rssMiddleKb * 1024)} → ${mib(m.rssLastKb * 1024)} MiB (${pct(m.growth)}); slope over the second half ${m.slopeMiBPerMin.toFixed(2)} MiB/min`,
      holds: m.growth < input.growthBound,
    },
    {
      name: '(c) no socket errors (connect, read, write, timeout)',
      measured: n0(r.socketErrors),
      holds: r.socketErrors === 0,
    },
    {
      name: '(c) every PUT answered 2xx',
      measured: `${n0(r.putNon2xx)} non-2xx of ${n0(r.puts)}`,
      holds: r.putNon2xx === 0,
    },
    {
      name: '(c) every GET non-2xx was a miss (404), by the server’s own status counts',
      measured:
        `${n0(r.getMisses)} GET non-2xx ≤ ${n0(r.kv404)} 404s counted by the server` +
        (r.unexpected.length > 0
          ? `; other statuses: ${r.unexpected.map((c) => `${c.count}× ${c.status} on ${c.route}`).join(', ')}`
          : '; no other status'),
      holds: r.unexpected.length === 0 && r.getMisses <= r.kv404,
    },
    {
      name: '(c) a miss is the documented 404 KEY_NOT_FOUND (curl)',
      measured: input.probe ? `${input.probe.status} ${input.probe.body}` : 'no miss among 50 random keys',
      holds: input.probe?.documented === true,
    },
    {
      name: '(c) every once-a-second sample answered',
      measured: `${m.failedSamples} of ${m.samples} failed`,
      holds: m.failedSamples === 0,
    },
    {
      name: 'the server is alive at the end and /health answers 200',
      measured: `${input.aliveAtEnd ? 'alive' : 'exited'}, /health ${input.health === 0 ? 'no answer' : input.health}${input.cutShort ? `; ${input.cutShort}` : ''}`,
      holds: input.aliveAtEnd && input.health === 200 && input.cutShort === undefined,
    },
  ]
  const cpu = input.slices.map((slice) => sliceCpu(input.samples, slice))
  return { memory, requests, cpu, trend: trend(input.slices, cpu), checks }
}
