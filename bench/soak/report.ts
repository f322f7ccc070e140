// Renders bench/RESULTS-soak.md: the settings, every verdict, memory over the run (figures and the
// SVG), per-slice throughput and the server's answers by status.
import { f0, f1, f2 } from '../http/format'
import { runHeader } from '../http/run-header'
import type { RunInfo as CommonRunInfo } from '../http/run-info'
import { ENTRY_OVERHEAD_BYTES } from '../../src/cache'
import type { Analysis, MemoryFigures, RequestFigures, SliceCpu } from './analysis'
import type { Slice, Workload } from './drive'
import type { LoopDelay } from './loop-monitor'
import type { MissProbe } from './probe'

export interface RunInfo extends CommonRunInfo, Workload {
  maxMemory: string
  maxBytes: number
  keys: number
  factor: number
  loadS: number
  growthBound: number
}

export interface Report {
  info: RunInfo
  slices: Slice[]
  analysis: Analysis
  probe?: MissProbe
  serverLog: string[]
  /** The SVG's path relative to the report's folder. */
  plot: string
  /** The server's event-loop delay over the load (undefined if the monitor never wrote). */
  loopDelay?: LoopDelay
  /** The same load on another build (--baseline-binary). */
  baseline?: BaselineRun
}

export interface BaselineRun {
  binary: string
  loopDelay?: LoopDelay
  memory: MemoryFigures
  requests: RequestFigures
}

const MiB = 1024 * 1024
const kbMiB = (kb: number | undefined) => f1(kb === undefined ? undefined : kb / 1024)
const verdict = (holds: boolean) => (holds ? '**yes**' : '**no**')

/** Mean UTF-8 length of the keys `key:0` … `key:(keys-1)`: part of what each entry is charged. */
function meanKeyBytes(keys: number): number {
  let total = 0
  for (let digits = 1, from = 0; from < keys; digits++, from = 10 ** (digits - 1))
    total += (Math.min(keys, 10 ** digits) - from) * ('key:'.length + digits)
  return total / keys
}

export const allHold = (report: Report) => report.analysis.checks.every((c) => c.holds)

function checksTable(report: Report): string {
  return [
    '| assertion | measured | holds |',
    '|---|---|---|',
    ...report.analysis.checks.map((c) => `| ${c.name} | ${c.measured.replace(/\|/g, '\\|')} | ${verdict(c.holds)} |`),
  ].join('\n')
}

function slicesTable(slices: Slice[], cpu: SliceCpu[]): string {
  const lines = [
    '| slice | seconds | PUT req/s | GET req/s | GET misses | PUT p50 / p99 ms | GET p50 / p99 ms | server CPU, % of a core | server CPU µs / request | machine busy | socket errors | PUT non-2xx |',
    '|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ]
  for (const [i, s] of slices.entries()) {
    const missShare = s.get.requests > 0 ? (100 * s.get.non2xx) / s.get.requests : 0
    const c = cpu[i]
    lines.push(
      `| ${s.index + 1} | ${s.fromS.toFixed(0)}–${s.toS.toFixed(0)} | ${f0(s.put.rps)} | ${f0(s.get.rps)} | ${missShare.toFixed(0)}% | ` +
        `${f2(s.put.p50Ms)} / ${f2(s.put.p99Ms)} | ${f2(s.get.p50Ms)} / ${f2(s.get.p99Ms)} | ` +
        `${f0(c?.serverCorePct ?? Number.NaN)}% | ${f1(c?.serverUsPerRequest)} | ${f0(c?.machineBusyPct ?? Number.NaN)}% | ${s.put.socketErrors + s.get.socketErrors} | ${s.put.non2xx} |`,
    )
  }
  return lines.join('\n')
}

function memoryTable(report: Report): string {
  const m = report.analysis.memory
  const r = report.analysis.requests
  const third = report.info.loadS / 3
  const rows: [string, string][] = [
    ['bound (`maxBytes` of `/v1/stats`)', `${f0(m.maxBytes)} B (${f1(m.maxBytes / MiB)} MiB)`],
    [
      'highest charged bytes in a sample',
      `${f0(m.peakCharged)} B (${f1(m.peakCharged / MiB)} MiB, ${f1((100 * m.peakCharged) / m.maxBytes)}% of the bound) at ${f0(m.peakChargedAtS)} s, ${f0(m.peakItems)} items`,
    ],
    ['cache full (≥ 90% of the bound) from', m.fullAtS === undefined ? 'never' : `${f1(m.fullAtS)} s`],
    ['RSS at the start (empty cache, before the load)', `${kbMiB(m.rssStartKb)} MiB`],
    ['RSS when the cache first was full', `${kbMiB(m.rssAtFullKb)} MiB`],
    [`RSS, median of the middle third (${f0(third)}–${f0(2 * third)} s)`, `${kbMiB(m.rssMiddleKb)} MiB`],
    [
      `RSS, median of the last third (${f0(2 * third)}–${f0(report.info.loadS)} s)`,
      `${kbMiB(m.rssLastKb)} MiB (${m.growth >= 0 ? '+' : ''}${f1(100 * m.growth)}%)`,
    ],
    ['RSS at the end (last sample)', `${kbMiB(m.rssEndKb)} MiB`],
    ['RSS, highest sample / peak (VmHWM)', `${kbMiB(m.rssMaxKb)} / ${kbMiB(m.rssPeakKb)} MiB`],
    ['RSS slope over the second half (least squares)', `${f2(m.slopeMiBPerMin)} MiB/min`],
    ['samples (failed)', `${m.samples} (${m.failedSamples})`],
    ['evictions during the run', f0(r.evictions)],
    [
      'sets / hits / misses counted by the server',
      `${f0(r.sets)} / ${f0(r.hits)} / ${f0(r.misses)} (hit ratio ${f1((100 * r.hits) / (r.hits + r.misses))}%)`,
    ],
  ]
  return ['| measure | value |', '|---|--:|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n')
}

function statusTable(report: Report): string {
  const r = report.analysis.requests
  return [
    '| route | status | answers |',
    '|---|--:|--:|',
    ...r.statuses.map((c) => `| \`${c.route}\` | ${c.status} | ${f0(c.count)} |`),
  ].join('\n')
}

/** Whether throughput moved between the first and the last third of the slices, and whether the server's CPU per request explains it. */
function trendLine(report: Report): string {
  const t = report.analysis.trend
  const change = (a: number, b: number) => `${b >= a ? '+' : ''}${f0((100 * (b - a)) / a)}%`
  return (
    `Throughput (PUT + GET), median slice of the first third against the last: ${f0(t.firstRps)} → ${f0(t.lastRps)} req/s (${change(t.firstRps, t.lastRps)}); ` +
    `the server’s CPU time per request over the same slices: ${f1(t.firstUsPerRequest)} → ${f1(t.lastUsPerRequest)} µs (${change(t.firstUsPerRequest, t.lastUsPerRequest)}). ` +
    'When the second moves with the first, the server does more work per request (the mix of hits and misses changes as the cache learns the hot keys, and so may its own costs); ' +
    'when it does not, the server got less CPU (see “machine busy”: 100% is every core, wrk included).'
  )
}

export function renderReport(report: Report): string {
  const { info, slices, analysis } = report
  const m = analysis.memory
  const r = analysis.requests
  const loadS = info.loadS
  const putRps = r.puts / loadS
  const getRps = r.gets / loadS
  // What one entry is charged: key + value + the engine's overhead per entry.
  const charge = meanKeyBytes(info.keys) + info.valueSize + ENTRY_OVERHEAD_BYTES
  const out: string[] = [
    ...runHeader('Soak benchmark: fastcache under a bounded write overload', info, [], 'throughput'),
    '',
    `**Every assertion holds: ${allHold(report) ? 'yes' : 'no'}.**`,
    '',
    '## Settings',
    '',
    `- Server: \`dist/fastcache --host 127.0.0.1 --port <free> --max-memory ${info.maxMemory} --log-level warn\` (bound ${f0(info.maxBytes)} B), built by this run unless \`--skip-build\`, environment without \`FASTCACHE_*\`.`,
    `- Key set: ${f0(info.keys)} keys \`key:0\` … \`key:${info.keys - 1}\` with ${f0(info.valueSize)}-byte values: ${f1((info.keys * info.valueSize) / MiB)} MiB of values, ` +
      `${info.factor}× the bound (charged with key and the ${ENTRY_OVERHEAD_BYTES}-byte entry overhead, about ${f1((info.keys * charge) / info.maxBytes)}×), so at most ` +
      `${f0((100 * info.maxBytes) / (info.keys * charge))}% of it can be held at once.`,
    `- Writes: \`wrk -t1 -c${info.putConnections}\` with \`bench/http/lua/put.lua\`, PUT of a key drawn uniformly over the whole set, as fast as the server takes them.`,
    `- Reads, at the same time: \`wrk -t1 -c${info.getConnections}\` with \`bench/http/lua/get.lua\`, GET of a key drawn ${info.getDist === 'zipf' ? 'Zipf(0.99) (hot ranks scattered over the set)' : 'uniformly'} over the same set. ` +
      'A wrk of its own, so every non-2xx it counts is a GET’s: a miss, 404 `KEY_NOT_FOUND`, is documented for a key that was evicted.',
    `- ${f0(loadS)} s of load (asked: ${info.durationS} s) in ${slices.length} consecutive slices of ≤ ${info.sliceS} s, both wrk processes starting together; wrk’s request timeout 5 s. All on 127.0.0.1.`,
    '- Every second: the server’s RSS (`VmRSS` of `/proc/PID/status`) and `GET /v1/stats` (`bytes`, `items`, `maxBytes`, `evictions`, …).',
    '',
    '## Assertions',
    '',
    checksTable(report),
    '',
    'Why these bounds:',
    '',
    '- (a) is the README’s promise (“the charged total never exceeds `--max-memory`”), checked in every sample; a sample is a moment, so this is a check of the moments seen, not a proof for the moments between.',
    `- (b) compares the medians of the middle and the last third of the run, both long after the cache filled (from ${m.fullAtS === undefined ? 'n/a' : `${f0(m.fullAtS)} s`}), so the fill itself does not count as growth; medians, because the JS heap moves in garbage-collection steps of several MiB. ` +
      `The bound, ${f0(100 * info.growthBound)}%, leaves room for that sawtooth and for the allocator keeping freed pages, yet at this run’s ${f0(putRps + getRps)} req/s a leak of ` +
      `${f1(m.detectableLeakBytes)} bytes or more per request (${f1((m.detectableLeakBytes * (putRps + getRps) * 60) / MiB)} MiB/min) would have crossed it between the two thirds. ` +
      'The slope over the second half is reported beside it: a level RSS has a slope near 0 MiB/min, a leak a steady positive one.',
    '- (c) wrk only knows “not 2xx”; the server’s own count of answers by route and status (`/metrics`, below) tells which: only 200, 201 and 404 on `/v1/kv/*`, and at least as many 404s as wrk counted GET non-2xx answers (the server also counts answers wrk did not wait for when a slice ended). ' +
      'A 503 `OVERLOADED` is not in those counts, which is why wrk’s GET non-2xx must not exceed the 404s.',
    '',
    '## Memory over the run',
    '',
    `![charged bytes and RSS over the run, with the bound](${report.plot})`,
    '',
    memoryTable(report),
    '',
    loopDelaySection(report),
    '',
    '## Throughput per slice',
    '',
    `Over the whole run: ${f0(putRps)} PUT/s and ${f0(getRps)} GET/s (${f0(r.puts)} PUTs, ${f0(r.gets)} GETs, of which ${f0(r.getMisses)} misses, ${f1((100 * r.getMisses) / r.gets)}%). ` +
      'wrk and the server share the machine’s cores, so absolute numbers are low.',
    '',
    trendLine(report),
    '',
    slicesTable(slices, analysis.cpu),
    '',
    '## Answers by status, as the server counted them',
    '',
    'Differences of `fastcache_http_request_duration_seconds_count` in `/metrics` between just before and just after the load (the sampler’s `/v1/stats` reads included).',
    '',
    statusTable(report),
    '',
  ]
  if (report.probe) {
    out.push(
      '## A miss, seen by curl',
      '',
      `After the load, \`curl http://127.0.0.1:<port>/v1/kv/${report.probe.key}\` (a key of the written set; ${report.probe.tries - 1} random key(s) tried before it were held):`,
      '',
      '```',
      `${report.probe.status}`,
      report.probe.body,
      '```',
      '',
    )
  }
  out.push(
    '## Server log',
    '',
    report.serverLog.length === 0
      ? 'Nothing logged at `--log-level warn` during the run.'
      : ['Lines logged at `--log-level warn`:', '', '```', ...report.serverLog.slice(0, 20), '```'].join('\n'),
    '',
  )
  return out.join('\n')
}

const delayCells = (d: LoopDelay | undefined) =>
  d === undefined ? 'not measured | | | ' : `${f2(d.p50Ms)} | ${f2(d.p99Ms)} | ${f2(d.p999Ms)} | ${f2(d.maxMs)}`

/** The server's event-loop delay under the load, and the same for the baseline build when there is one. */
function loopDelaySection(report: Report): string {
  const rows: [string, LoopDelay | undefined, MemoryFigures, RequestFigures][] = [
    [`this build (${report.info.commit})`, report.loopDelay, report.analysis.memory, report.analysis.requests],
  ]
  const b = report.baseline
  if (b) rows.push([`baseline: \`${b.binary}\``, b.loopDelay, b.memory, b.requests])
  const lines = [
    '## Event-loop delay',
    '',
    'The server’s own measure: `monitorEventLoopDelay` of `node:perf_hooks` (a 10 ms timer, how late it fires), preloaded into the binary',
    'through `BUN_OPTIONS=--preload bench/soak/loop-monitor.ts`, over the server’s whole life up to the end of the load.',
    b ? 'The baseline ran the same load right after this build, on the same key set, by the same rules.' : '',
    '',
    '| build | p50 ms | p99 ms | p99.9 ms | max ms | req/s (PUT + GET) | RSS − start, highest sample ÷ bound | RSS, last third (MiB) |',
    '|---|--:|--:|--:|--:|--:|--:|--:|',
    ...rows.map(
      ([name, delay, m, r]) =>
        `| ${name} | ${delayCells(delay)} | ${f0((r.puts + r.gets) / report.info.loadS)} | ` +
        `${f2(((m.rssMaxKb - m.rssStartKb) * 1024) / m.maxBytes)}× | ${kbMiB(m.rssLastKb)} |`,
    ),
  ]
  if (b?.loopDelay && report.loopDelay)
    lines.push(
      '',
      `p99 against the baseline’s: ${f2(report.loopDelay.p99Ms / b.loopDelay.p99Ms)}× (below it: ${verdict(report.loopDelay.p99Ms < b.loopDelay.p99Ms)}).`,
    )
  return lines.filter((line, i, all) => line !== '' || all[i - 1] !== '').join('\n')
}

/** The terminal summary: the verdicts and the headline figures. */
export function headline(report: Report): string {
  const m = report.analysis.memory
  const r = report.analysis.requests
  const lines = report.analysis.checks.map((c) => `${c.holds ? ' ok' : 'NOT'} ${c.name}: ${c.measured}`)
  lines.push(
    '',
    `charged max ${f1(m.peakCharged / MiB)} of ${f1(m.maxBytes / MiB)} MiB; RSS start ${kbMiB(m.rssStartKb)}, middle ${kbMiB(m.rssMiddleKb)}, last third ${kbMiB(m.rssLastKb)}, end ${kbMiB(m.rssEndKb)}, max ${kbMiB(m.rssMaxKb)} MiB; slope ${f2(m.slopeMiBPerMin)} MiB/min`,
    `${f0(r.puts / report.info.loadS)} PUT/s, ${f0(r.gets / report.info.loadS)} GET/s, ${f0(r.evictions)} evictions, ${f0(r.getMisses)} GET misses, ${r.socketErrors} socket errors`,
    `${trendLine(report).split('. When')[0]!}.`,
    `event-loop delay p99 ${f2(report.loopDelay?.p99Ms)} ms` +
      (report.baseline ? `, baseline ${f2(report.baseline.loopDelay?.p99Ms)} ms` : ''),
  )
  return lines.join('\n')
}
