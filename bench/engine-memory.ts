/**
 * The engine's memory and speed, side by side with its peers in the same run (issue #14):
 *   - RSS per key for 1M keys × 100-byte values against a real redis-server (and a bare Map);
 *   - what one entry really costs against the charge (ENTRY_OVERHEAD_BYTES), at several sizes;
 *   - the memory bound under overload: written at 5× 64 MiB and 1 GiB bounds with 100 B, 1 KiB and
 *     16 KiB values, RSS − idle RSS against the bound, charged bytes never above it;
 *   - operations per second against lru-cache bounded by count (get and set).
 * Every measurement runs in a fresh child process. Writes bench/RESULTS-engine-memory.md.
 * Run `bun run bench/engine-memory.ts --help` for the options.
 */
import { resolve } from 'node:path'
import { ensureTools } from './http/deps'
import { flagReader, parseFlags } from './http/flags'
import { f2, ratio } from './http/format'
import { outputPath, writeReport } from './http/output'
import { installSignalHandlers, run, stopAll } from './http/procs'
import { recordRun } from './http/run-info'
import { ROOT } from './http/servers'
import { median } from './http/stats'
import { fill, type FillConfig, type FillResult } from './engine/fill'
import { overload, type OverloadConfig, type OverloadResult } from './engine/overload'
import { redisPerKey } from './engine/redis'
import {
  chargeAccuracy,
  churnRatio,
  overloadRatio,
  renderReport,
  speedRatio,
  type ChargeRow,
  type EngineReport,
  type OverloadRow,
} from './engine/report'
import { speed, WORKLOADS, type SpeedConfig, type SpeedResult } from './engine/speed'

const LABEL = 'bench/engine-memory.ts'
const SECTIONS = ['redis', 'charge', 'overload', 'speed'] as const
type Section = (typeof SECTIONS)[number]
const MiB = 1024 * 1024

const HELP = `usage: bun run bench/engine-memory.ts [options]

  --entries N       keys for the Redis comparison and the speed runs (default 1000000)
  --runs N          runs of each memory measurement, medians reported (default 3)
  --rounds N        counted rounds of each speed workload (default 7)
  --bounds LIST     bounds for the overload runs, in MiB (default 64,1024)
  --sections LIST   any of ${SECTIONS.join(',')} (default all)
  --out FILE        report path (default bench/RESULTS-engine-memory.md; with --quick, the temp directory)
  --json FILE       also write every measurement as JSON
  --render FILE     write the report again from such a JSON file, measuring nothing
  --quick           a smoke run: 100000 entries, 1 run, 3 rounds, the 64 MiB bound only

The default run takes about 15 minutes and up to ~2 GB of memory per child process. Needs redis-server.
`

// ---- child processes: one measurement each, printed as JSON ----

type Job = { kind: 'fill'; config: FillConfig } | { kind: 'overload'; config: OverloadConfig } | { kind: 'speed'; config: SpeedConfig }

if (process.argv[2] === '--child') {
  const job = JSON.parse(process.argv[3]!) as Job
  const result = job.kind === 'fill' ? await fill(job.config) : job.kind === 'overload' ? await overload(job.config) : speed(job.config)
  process.stdout.write(JSON.stringify(result))
  process.exit(0)
}

async function inChild<T>(job: Job): Promise<T> {
  return JSON.parse(await run([process.execPath, import.meta.path, '--child', JSON.stringify(job)], { stderr: 'inherit' })) as T
}

// ---- the run ----

const flags = parseFlags(
  {
    entries: { type: 'string' },
    runs: { type: 'string' },
    rounds: { type: 'string' },
    bounds: { type: 'string' },
    sections: { type: 'string' },
    render: { type: 'string' },
  },
  HELP,
)
const recordedOut = resolve(ROOT, 'bench/RESULTS-engine-memory.md')
if (flags.render !== undefined) {
  // A report's wording or verdicts changed: render it again from the same measurements.
  const saved = JSON.parse(await Bun.file(flags.render).text()) as EngineReport
  const out = outputPath(flags.out, flags.quick, recordedOut, 'RESULTS-engine-memory.md')
  await Bun.write(out, renderReport(saved))
  process.stdout.write(`wrote ${out} from ${flags.render}\n`)
  process.exit(0)
}
const { int, fail } = flagReader(LABEL, flags)
const entries = int('entries', 1_000_000, 100_000, 1000)
const runs = int('runs', 3, 1)
const rounds = int('rounds', 7, 3)
const bounds = (flags.bounds ?? (flags.quick ? '64' : '64,1024')).split(',').map((mb) => Number(mb) * MiB)
if (bounds.some((b) => !Number.isInteger(b) || b < MiB)) fail('--bounds must be whole numbers of MiB')
const sections = new Set((flags.sections ?? SECTIONS.join(',')).split(',') as Section[])
for (const section of sections) if (!SECTIONS.includes(section)) fail(`unknown section ${section}`)

const log = (message: string) => process.stderr.write(`${message}\n`)
installSignalHandlers(LABEL)
if (sections.has('redis')) await ensureTools({ 'redis-server': 'redis-server', 'redis-cli': 'redis-tools' }, LABEL)
const recorder = await recordRun(log)
const report: Omit<EngineReport, 'info'> = {}

try {
  if (sections.has('redis')) {
    const valueBytes = 100
    const engine: FillResult[] = []
    const map: FillResult[] = []
    const redis = []
    for (let r = 0; r < runs; r++) {
      log(`redis comparison, run ${r + 1}/${runs}`)
      engine.push(await inChild<FillResult>({ kind: 'fill', config: { store: 'engine', entries, keys: 'redis', valueBytes } }))
      redis.push(await redisPerKey(entries, valueBytes))
      map.push(await inChild<FillResult>({ kind: 'fill', config: { store: 'map', entries, keys: 'redis', valueBytes } }))
      log(`  engine ${engine.at(-1)!.rss.toFixed(0)} B/key, redis ${redis.at(-1)!.rss.toFixed(0)} B/key`)
    }
    report.redis = { entries, valueBytes, engine, map, redis }
  }

  if (sections.has('charge')) {
    // At most ~256 MiB of values per child; the last rows sit just past a growth of the index (it
    // doubles past 524,288 entries) and of the slot arrays (presized to 1,048,576 slots at most, then 1.5× steps).
    const configs: FillConfig[] = []
    for (const [keys, valueBytes] of [
      [12, 16],
      [12, 100],
      [64, 100],
      [12, 1024],
      [12, 16_384],
    ] as const) {
      configs.push({ store: 'engine', entries: Math.min(entries, Math.floor((256 * MiB) / valueBytes)), keys, valueBytes })
    }
    if (entries >= 1_000_000)
      configs.push(
        { store: 'engine', entries: 524_289, keys: 12, valueBytes: 100 },
        { store: 'engine', entries: 1_048_577, keys: 12, valueBytes: 100 },
      )
    const rows: ChargeRow[] = configs.map((config) => ({ config, samples: [] }))
    for (let r = 0; r < runs; r++) {
      for (const row of rows) {
        log(`charge: ${row.config.entries} × ${row.config.keys} + ${row.config.valueBytes} B, run ${r + 1}/${runs}`)
        row.samples.push(await inChild<FillResult>({ kind: 'fill', config: row.config }))
      }
    }
    report.charge = rows
  }

  if (sections.has('overload')) {
    const rows: OverloadRow[] = []
    for (const bound of bounds) {
      for (const valueBytes of [100, 1024, 16_384]) {
        const config: OverloadConfig = { bound, valueBytes, factor: 5, store: 'engine' }
        log(`overload: ${bound / MiB} MiB bound, ${valueBytes}-byte values`)
        const result = await inChild<OverloadResult>({ kind: 'overload', config })
        const churn = await inChild<OverloadResult>({ kind: 'overload', config: { ...config, store: 'churn' } })
        rows.push({ config, result, churn })
        log(
          `  RSS − idle = ${ratio(overloadRatio(rows.at(-1)!))} the bound (the loop alone: ${ratio(churnRatio(rows.at(-1)!))}), charged at most ${f2(result.maxCharged / bound)}`,
        )
      }
    }
    report.overload = rows
  }

  if (sections.has('speed')) {
    const operations = Math.min(2_000_000, 2 * entries)
    log(`speed: ${entries} entries, ${rounds} rounds of ${operations} operations`)
    const result = await inChild<SpeedResult>({ kind: 'speed', config: { entries, rounds, operations } })
    report.speed = { entries, operations, rounds, result }
  }
} finally {
  await stopAll()
}

await recorder.finish()
const commit = (await run(['git', 'rev-parse', '--short', 'HEAD'], { cwd: ROOT })).trim()
const redisVersion = (await run(['redis-server', '--version'])).match(/v=(\S+)/)?.[1] ?? 'unknown'
const info = await recorder.info('bench/engine-memory.ts', commit, { redis: `redis-server ${redisVersion}` })
const full: EngineReport = { info, ...report }

const headline: string[] = []
if (full.redis) {
  const engine = median(full.redis.engine.map((s) => s.rss))
  const redis = median(full.redis.redis.map((s) => s.rss))
  headline.push(`RSS per key: engine ${engine.toFixed(0)} B, Redis ${redis.toFixed(0)} B (${ratio(engine / redis)})`)
}
if (full.charge) headline.push(`real / charged per entry: ${full.charge.map((row) => f2(chargeAccuracy(row))).join(', ')}`)
if (full.overload) headline.push(`overload: RSS − idle at most ${ratio(Math.max(...full.overload.map(overloadRatio)))} the bound`)
if (full.speed) headline.push(`engine / lru-cache ops: ${WORKLOADS.map((w) => `${w} ${ratio(speedRatio(full.speed!, w))}`).join(', ')}`)

writeReport({
  out: outputPath(flags.out, flags.quick, recordedOut, 'RESULTS-engine-memory.md'),
  markdown: renderReport(full),
  json: flags.json,
  data: full,
  headline: headline.join('\n'),
  seconds: info.seconds,
})
