/** Renders bench/RESULTS-hitratio.md from the cells of a run and the speed measurement. */
import { CLASSIC, POLICIES } from './policies'
import type { PolicyResult } from './replay'
import type { CacheSize } from './sizes'
import type { SpeedResult } from './speed'

/** One trace at one cache size: every policy's hit ratio. */
export interface Cell {
  workload: string
  size: CacheSize
  results: PolicyResult[]
}

export interface WorkloadInfo {
  name: string
  kind: 'trace' | 'synthetic'
  /** Which half of the tuning split it is in (bench/hitratio/workloads.ts). */
  half: 'dev' | 'held-out' | undefined
  description: string
  requests: number
  keys: number
  sized: boolean
  distinctBytes: number
  sizeChanges: number
}

export interface RunInfo {
  command: string
  date: string
  nproc: number
  cpu: string
  bun: string
  /** Commit of the checkout, and whether src/cache differs from it. */
  engineSource: string
  replaySeconds: number
  speedSeconds: number
  /** 1-minute load average when the replay and the speed runs started: other work on the machine skews speed. */
  load: [number, number]
}

/** Published figures for the LIRS gli trace (bench/traces/README.md). */
export const GLI_LRU: Record<number, number> = {
  250: 0.91,
  500: 0.95,
  750: 1.15,
  1000: 11.21,
  1250: 21.25,
  1500: 36.56,
  1750: 45.04,
  2000: 57.41,
}
export const GLI_OPT: Record<number, number> = { 1000: 53.15, 2000: 57.96 }

/** Columns of the main tables: every policy but the bound-like ones, which only sized traces get. */
const COLUMNS = POLICIES.filter((p) => p.appliesTo === undefined).map((p) => p.name)
const SIZED_EXTRA = ['OPT-size', 'bound']

const pct = (value: number): string => value.toFixed(2)
const signed = (value: number): string => (value >= 0 ? '+' : '−') + Math.abs(value).toFixed(2)
const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length
const thousands = (n: number): string => n.toLocaleString('en-US')

export function ratio(cell: Cell, policy: string): number {
  const found = cell.results.find((r) => r.policy === policy)
  if (!found) throw new Error(`no ${policy} result for ${cell.workload} at ${cell.size.value}`)
  return found.hitRatio
}

/** The best feasible offline result: OPT, or on sized traces the better of OPT and OPT-size. */
export function optOf(cell: Cell): number {
  const size = cell.results.find((r) => r.policy === 'OPT-size')
  return Math.max(ratio(cell, 'OPT'), size?.hitRatio ?? 0)
}

export function bestClassic(cell: Cell): { policy: string; hitRatio: number } {
  let best = { policy: '', hitRatio: -1 }
  for (const policy of CLASSIC) if (ratio(cell, policy) > best.hitRatio) best = { policy, hitRatio: ratio(cell, policy) }
  return best
}

function sizeLabel(cell: Cell, sized: boolean): string {
  return sized ? `${(cell.size.value / 2 ** 20).toFixed(2)} MiB` : thousands(cell.size.value)
}

/** A Markdown table; numbers right-aligned (every column but the first) unless `text` says otherwise. */
function table(header: string[], rows: string[][], text = false): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map((_, i) => (i === 0 || text ? '---' : '---:'))), ...rows.map(line)].join('\n')
}

function workloadTable(info: WorkloadInfo, cells: Cell[]): string {
  const columns = info.sized ? [...COLUMNS, ...SIZED_EXTRA] : COLUMNS
  const header = [
    info.sized ? 'budget' : 'entries',
    info.sized ? '% of bytes' : '% of keys',
    ...columns,
    'fastcache − OPT',
    'fastcache − best classic',
  ]
  const rows = cells.map((cell) => {
    const best = bestClassic(cell)
    const fc = ratio(cell, 'fastcache')
    return [
      sizeLabel(cell, info.sized),
      (cell.size.fraction * 100).toFixed(cell.size.fraction < 0.01 ? 2 : 1),
      ...columns.map((policy) => {
        const value = pct(ratio(cell, policy))
        return policy === best.policy ? `**${value}**` : value
      }),
      signed(fc - optOf(cell)),
      `${signed(fc - best.hitRatio)} (${best.policy})`,
    ]
  })
  return table(header, rows)
}

function summary(cells: Cell[], infos: WorkloadInfo[]): string {
  const kindOf = new Map(infos.map((i) => [i.name, i.kind]))
  const halfOf = new Map(infos.map((i) => [i.name, i.half]))
  const all: [string, Cell[]][] = [
    [`mean hit ratio, all ${cells.length} cells`, cells],
    ['mean, trace cells', cells.filter((c) => kindOf.get(c.workload) === 'trace')],
    ['mean, synthetic cells', cells.filter((c) => kindOf.get(c.workload) === 'synthetic')],
    ['mean, development half', cells.filter((c) => halfOf.get(c.workload) === 'dev')],
    ['mean, held-out half', cells.filter((c) => halfOf.get(c.workload) === 'held-out')],
  ]
  const groups = all.filter(([, group]) => group.length > 0)
  const rows = groups.map(([label, group]) => [
    label,
    ...COLUMNS.map((p) => pct(mean(group.map((c) => (p === 'OPT' ? optOf(c) : ratio(c, p)))))),
  ])
  rows.push([
    'mean gap to OPT (points), all cells',
    ...COLUMNS.map((p) => (p === 'OPT' ? '0.00' : pct(mean(cells.map((c) => optOf(c) - ratio(c, p)))))),
  ])
  rows.push([
    'cells where it is the best classic (ties: leftmost)',
    ...COLUMNS.map((p) => (CLASSIC.includes(p) ? String(cells.filter((c) => bestClassic(c).policy === p).length) : '')),
  ])
  return table(['', ...COLUMNS], rows)
}

function targets(cells: Cell[]): string {
  const fcMean = mean(cells.map((c) => ratio(c, 'fastcache')))
  const gap = (p: string) => mean(cells.map((c) => optOf(c) - ratio(c, p)))
  const below = cells
    .map((c) => ({ c, by: bestClassic(c).hitRatio - ratio(c, 'fastcache') }))
    .filter((x) => x.by > 1)
    .sort((a, b) => b.by - a.by)
  const belowText =
    below.length === 0
      ? 'no cell'
      : `${below.length} cell(s): ` +
        below
          .slice(0, 12)
          .map(({ c, by }) => `${c.workload} @ ${c.size.value} (−${by.toFixed(2)} vs ${bestClassic(c).policy})`)
          .join('; ') +
        (below.length > 12 ? '; …' : '')
  const meanFails = CLASSIC.filter((p) => mean(cells.map((c) => ratio(c, p))) >= fcMean)
  const gapFails = CLASSIC.filter((p) => gap(p) <= gap('fastcache'))
  const mark = (ok: boolean) => (ok ? '✅ holds' : '❌ does not hold')
  return table(
    ['target', 'result', 'detail'],
    [
      [
        'on every cell, fastcache at most 1 point below the best classic',
        mark(below.length === 0),
        `more than 1 point below on ${belowText}`,
      ],
      [
        'on average, fastcache above each classic',
        mark(meanFails.length === 0),
        `fastcache ${pct(fcMean)}; ${CLASSIC.map((p) => `${p} ${pct(mean(cells.map((c) => ratio(c, p))))}`).join(', ')}`,
      ],
      [
        'mean gap to OPT smaller than any classic’s',
        mark(gapFails.length === 0),
        `fastcache ${pct(gap('fastcache'))}; ${CLASSIC.map((p) => `${p} ${pct(gap(p))}`).join(', ')}`,
      ],
    ],
    true,
  )
}

function harnessCheck(cells: Cell[]): string {
  const gli = cells.filter((c) => c.workload === 'lirs-gli')
  if (gli.length === 0) return 'The `lirs-gli` trace was not in this run, so the check against published figures was not made.'
  const rows = Object.keys(GLI_LRU)
    .map(Number)
    .map((entries) => {
      const cell = gli.find((c) => c.size.value === entries)
      const lru = cell ? pct(ratio(cell, 'LRU')) : '—'
      const opt = cell ? pct(ratio(cell, 'OPT')) : '—'
      const ok = cell && lru === pct(GLI_LRU[entries]!) && (GLI_OPT[entries] === undefined || opt === pct(GLI_OPT[entries]!))
      return [
        thousands(entries),
        lru,
        pct(GLI_LRU[entries]!),
        opt,
        GLI_OPT[entries] === undefined ? '' : pct(GLI_OPT[entries]!),
        ok ? '✅' : '❌',
      ]
    })
  return table(['entries', 'LRU here', 'LRU published', 'OPT here', 'OPT published', 'match'], rows)
}

export function speedSection(speed: SpeedResult | undefined): string {
  if (!speed) return 'Skipped in this run (`--no-speed`).'
  const { options } = speed
  const [engine, ...peers] = speed.contestants
  const rows = speed.contestants.map((c) => [
    c.name,
    thousands(Math.round(c.medianOpsPerSecond)),
    c.medianNsPerRequest.toFixed(0),
    pct(c.hitRatio),
    c.opsPerSecond.map((v) => (v / 1e6).toFixed(2)).join(' / '),
  ])
  const ratios = peers.map(
    (p) => `- fastcache engine / ${p.name}: **${(engine!.medianOpsPerSecond / p.medianOpsPerSecond).toFixed(2)}×** (median ops/s)`,
  )
  return [
    `Zipf α=0.99 over ${thousands(options.keys)} scrambled keys, ${thousands(options.requests)} requests per round, capacity ${thousands(options.entries)} entries ` +
      `(${thousands(options.entries * 10)} bytes of 10-byte keys and empty values; the engine with \`entryOverheadBytes: 0\`). ` +
      `Each request is a get, and a set on a miss; ops counts both calls. ${options.rounds} counted rounds per contestant after one warm-up, ` +
      'contestants taking turns round by round, a fresh cache each round, a full GC before each. Key strings are built once up front and reused. ' +
      'Times are CPU time of the process (user, all threads, the collector included), not wall time: the machine is shared, and time ' +
      'spent descheduled says nothing about the code; ops/s are per CPU-second.',
    '',
    table(['contestant', 'median get+set ops/s', 'median ns per request', 'hit ratio %', 'per round (M ops/s)'], rows),
    '',
    ...ratios,
    ...(speed.advisors ? ['', advisorSection(speed.advisors)] : []),
  ].join('\n')
}

function advisorSection(advisors: NonNullable<SpeedResult['advisors']>): string {
  const rows = advisors.timings.map((t) => [
    thousands(t.entries),
    thousands(t.requests),
    t.currentNs.toFixed(1),
    t.baselineNs.toFixed(1),
    `**${t.ratio.toFixed(2)}**`,
    t.roundRatios.map((r) => r.toFixed(2)).join(' / '),
  ])
  return [
    `**The window advisor alone**, called as each version's policy calls it on every hit and miss (before issue 15 ` +
      '`record` on every request; since, `sampled` on every request and `record` on the sampled ones), fed the xxHash32 of ' +
      `the same requests for a full cache; ${advisors.current} against ${advisors.baseline}, rounds interleaved, twice as ` +
      'many as above; median CPU ns per request (CPU time, not wall time: the machine is shared) and the ratio of the medians:',
    '',
    table(['cache entries', 'requests', `ns, ${advisors.current}`, `ns, ${advisors.baseline}`, 'ratio', 'per round'], rows),
  ].join('\n')
}

export function renderReport(cells: Cell[], infos: WorkloadInfo[], run: RunInfo, speed: SpeedResult | undefined): string {
  const sections = infos.map((info) => {
    const own = cells.filter((c) => c.workload === info.name)
    const bytes = info.sized
      ? `, ${(info.distinctBytes / 2 ** 20).toFixed(1)} MiB distinct; ${thousands(info.sizeChanges)} requests name a key seen before with another size`
      : ''
    return `### ${info.name}\n\n${info.description}: ${thousands(info.requests)} requests, ${thousands(info.keys)} distinct keys${bytes}.\n\n${workloadTable(info, own)}`
  })
  return `# Hit ratio: fastcache's engine against classic policies and the offline optimum

Produced by \`${run.command}\` on ${run.date}, on ${run.nproc} cores (${run.cpu}) with Bun ${run.bun}.
Replaying took ${run.replaySeconds.toFixed(0)} s and the speed comparison ${run.speedSeconds.toFixed(0)} s
(1-minute load average ${run.load[0].toFixed(2)} and ${run.load[1].toFixed(2)} when they started).
Engine source: ${run.engineSource}.

Hit ratios are **percent of requests** (also in \`--json\` output). Each row of a table below is one
cache size; the best classic policy of the row is in bold.

## Targets

${targets(cells)}

With gaps in points against the same OPT per cell, the second and third targets are the same test
(mean gap = mean OPT − mean hit ratio); both are shown as asked.

## Summary

${summary(cells, infos)}

OPT here is the best feasible offline result of the cell: Belady, or on the sized trace the better of
Belady and OPT-size.

## Harness check against published figures (LIRS gli)

${harnessCheck(cells)}

## How it is measured

- **One replay loop** drives every policy (\`bench/hitratio/replay.ts\`): each request calls
  \`access(key, weight)\` on a fresh instance and counts hits. Cold misses count as misses.
- **Bytes.** Keys are 10-digit zero-padded ids. In the entry-count traces (LIRS, cache2k, synthetic)
  values are empty, every entry weighs 10 bytes and a size of N entries is a budget of 10·N bytes.
  In the CSV trace an object weighs 10 + \`size\` bytes and the budgets are 0.1%, 1% and 10% of the
  distinct bytes; a key keeps the size of its first request, so each object has one size for every
  policy and bound (how many requests named a key with another size is given with the trace). An object larger than the whole budget is a miss
  and is never stored, for every policy.
- **Sizes.** About 0.1%, 1% and 10% of the distinct keys (sizes under 10 entries skipped), plus the
  sizes used in published results for the LIRS traces (gli 250-2000, loop 250-1500, multi2
  500-3000, sprite 100-1000; loop has only 1,011 keys, so 1,250 and 1,500 hold it all).
- **fastcache** is the real \`CacheEngine\` from \`src/cache\` with its default policy,
  \`entryOverheadBytes: 0\` and \`sweepIntervalMs: 0\`, driven cache-aside: \`get\`, and on a miss
  \`set\` of a \`subarray\` view of one shared buffer.
- **Classic policies** (\`bench/hitratio/policies/\`, written for this benchmark): exact LRU; FIFO;
  SIEVE (NSDI'24); S3-FIFO (SOSP'23 Algorithm 1: small FIFO 10%, main FIFO, ghost of keys evicted
  from small sized like main, 2-bit counters, move to main when hit more than once); W-TinyLFU with a
  fixed 1% window LRU, SLRU main 20/80, 4-row count-min sketch of 4-bit counters halved every
  10 × width increments, admission when the candidate's estimate beats the victim's, no hill climbing.
- **lru-cache** 11.5.3 from npm, bounded with \`maxSize\` and \`sizeCalculation\` (key + value bytes).
- **OPT** is Belady with bypass: evict the key used furthest in the future, and do not admit a key
  whose next use is later than every cached key's. On the entry-count traces it is the optimum.
- **OPT-size** (sized trace only): evict (or do not admit) the object with the largest
  next-use distance × size, objects never used again first. A feasible policy, so a lower bound on
  the true optimum, which is NP-hard with sizes.
- **bound** (sized trace only): an upper bound no policy can beat (PFOO-U's relaxation, Berger et
  al., SIGMETRICS'18): a hit needs its key held since its previous request, costing
  size × distance byte-steps; the cache offers at most budget × (requests − 1) of them, and the
  cheapest intervals first give the most hits. The true optimum lies between OPT/OPT-size and it.
- Any trace: \`bun run bench:hitratio -- --trace FILE --format lirs|cache2k|csv --sizes 500,1000 --json\`
  (sizes in entries, or bytes for \`csv\`, or percentages like \`1%\`).

## Results

${sections.join('\n\n')}

## Speed (in-process)

${speedSection(speed)}
`
}
