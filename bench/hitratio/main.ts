/**
 * Hit-ratio benchmark. With no arguments: replays every trace in bench/traces (and ../shared/traces
 * when it is there, for the larger ones) and the
 * synthetic workloads at several sizes through every policy, measures engine speed against
 * lru-cache, and writes bench/RESULTS-hitratio.md. With --trace: evaluates one trace and prints.
 * Run `bun run bench:hitratio -- --help` for the options.
 */
import { writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { FORMATS, formatOf, traceName, type TraceFormat } from './readers'
import { renderReport, type Cell, type WorkloadInfo } from './report'
import { evaluate, type PolicyResult } from './replay'
import { parseSizes } from './sizes'
import { currentVersion, versionAt } from './baseline'
import { runSpeed, type SpeedResult } from './speed'
import {
  HALVES,
  PROJECT_TRACE_DIR,
  SHARED_TRACE_DIR,
  defaultTraceDirs,
  halfOf,
  syntheticWorkloads,
  traceWorkload,
  traceWorkloads,
  type Half,
  type Workload,
} from './workloads'

const ROOT = resolve(import.meta.dir, '../..')
const DEFAULT_OUT = resolve(ROOT, 'bench/RESULTS-hitratio.md')

const HELP = `usage: bun run bench:hitratio [-- options]

  (no options)        every trace in ${PROJECT_TRACE_DIR} (and ${SHARED_TRACE_DIR}
                      when it exists) plus the synthetic workloads;
                      writes bench/RESULTS-hitratio.md (about a minute on 2 cores)
  --trace FILE        evaluate one trace file (gzip if it ends in .gz) and print the results
  --format F          ${FORMATS.join('|')} (default: guessed from the file name)
  --sizes LIST        with --trace: entries (bytes for csv) or percentages, e.g. 500,1000 or 0.1%,1%
  --json              print one JSON line per size: {"trace","size","results":[{"policy","hitRatio"}]}
                      (hitRatio in percent)
  --traces DIR        trace directory for the default run
  --half H            only one half of the default run's workloads: ${Object.keys(HALVES).join('|')}
                      (the split used to tune the policy on one half and check it on the other)
  --out FILE          where the default run writes its report
  --no-speed          skip the engine vs lru-cache speed comparison
  --baseline COMMIT   in the speed comparison, also run the engine with the eviction policy of COMMIT
                      and time both versions' window advisors alone (the advisor's cost per request)
`

const { values: args } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    trace: { type: 'string' },
    format: { type: 'string' },
    sizes: { type: 'string' },
    json: { type: 'boolean', default: false },
    traces: { type: 'string' },
    half: { type: 'string' },
    out: { type: 'string' },
    'no-speed': { type: 'boolean', default: false },
    baseline: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

/** One progress line on stderr, rewritten in place on a terminal. */
function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${message}`)
  else process.stderr.write(`${message}\n`)
}

function endProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K')
}

function jsonLine(trace: string, size: number, results: PolicyResult[]): string {
  return JSON.stringify({ trace, size, results: results.map((r) => ({ policy: r.policy, hitRatio: Number(r.hitRatio.toFixed(4)) })) })
}

/** Replays every size of one workload, reporting each cell as it completes. */
async function runWorkload(workload: Workload, sizesArg: string | undefined, onCell: (cell: Cell) => void): Promise<WorkloadInfo> {
  progress(`${workload.name}: loading`)
  const trace = await workload.load()
  const sizes = sizesArg ? parseSizes(sizesArg, trace) : workload.sizes(trace)
  sizes.forEach((size, i) => {
    progress(`${workload.name}: size ${size.value}${trace.sized ? ' bytes' : ''} (${i + 1}/${sizes.length})`)
    onCell({ workload: workload.name, size, results: evaluate(trace, size) })
  })
  return {
    name: workload.name,
    kind: workload.kind,
    half: halfOf(workload.name),
    description: workload.description,
    requests: trace.ids.length,
    keys: trace.keyCount,
    sized: trace.sized,
    distinctBytes: trace.distinctBytes,
    sizeChanges: trace.sizeChanges,
  }
}

/** One trace from the command line: JSON lines, or a plain table. */
async function single(path: string): Promise<void> {
  const format = (args.format ?? formatOf(path)) as TraceFormat | undefined
  if (!format || !FORMATS.includes(format)) throw new Error(`--format must be one of ${FORMATS.join(', ')} (cannot guess it from ${path})`)
  const name = traceName(path)
  const cells: Cell[] = []
  const info = await runWorkload(traceWorkload(path, format, name), args.sizes, (cell) => {
    if (args.json) console.log(jsonLine(name, cell.size.value, cell.results))
    cells.push(cell)
  })
  endProgress()
  if (args.json) return
  const policies = cells[0]?.results.map((r) => r.policy) ?? []
  console.log(`${info.name}: ${info.requests} requests, ${info.keys} keys; hit ratio %`)
  console.log([info.sized ? 'bytes' : 'entries', ...policies].map((c) => c.padStart(12)).join(''))
  for (const cell of cells)
    console.log([String(cell.size.value), ...cell.results.map((r) => r.hitRatio.toFixed(2))].map((c) => c.padStart(12)).join(''))
}

function git(...argv: string[]): string {
  const result = Bun.spawnSync(['git', ...argv], { cwd: ROOT })
  return result.exitCode === 0 ? result.stdout.toString().trim() : ''
}

async function all(): Promise<void> {
  if (args.sizes) throw new Error('--sizes goes with --trace; the default run uses its own sizes')
  const half = args.half as Half | undefined
  if (half !== undefined && !(half in HALVES)) throw new Error(`--half must be one of ${Object.keys(HALVES).join(', ')}`)
  const workloads = [...traceWorkloads(args.traces === undefined ? defaultTraceDirs() : [args.traces]), ...syntheticWorkloads()].filter(
    (workload) => half === undefined || halfOf(workload.name) === half,
  )
  const cells: Cell[] = []
  const infos: WorkloadInfo[] = []
  const load: [number, number] = [loadavg()[0]!, 0]
  const started = performance.now()
  for (const workload of workloads) {
    infos.push(
      await runWorkload(workload, undefined, (cell) => {
        if (args.json) console.log(jsonLine(workload.name, cell.size.value, cell.results))
        cells.push(cell)
      }),
    )
  }
  const replaySeconds = (performance.now() - started) / 1000
  let speed: SpeedResult | undefined
  load[1] = loadavg()[0]!
  const speedStarted = performance.now()
  const versions = args.baseline ? { current: await currentVersion(), baseline: await versionAt(args.baseline) } : undefined
  if (!args['no-speed']) speed = runSpeed(undefined, progress, versions)
  const speedSeconds = (performance.now() - speedStarted) / 1000
  endProgress()

  const dirty = git('status', '--porcelain', '--', 'src/cache') !== ''
  const argv = Bun.argv.slice(2).join(' ')
  const script = process.env.npm_lifecycle_event === 'bench:hitratio' ? 'bun run bench:hitratio' : 'bun run bench/hitratio/main.ts'
  const report = renderReport(
    cells,
    infos,
    {
      command: argv ? `${script} -- ${argv}` : script,
      date: new Date().toISOString().slice(0, 10),
      nproc: navigator.hardwareConcurrency,
      cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
      bun: Bun.version,
      engineSource: `commit ${git('rev-parse', '--short', 'HEAD') || 'unknown'}${dirty ? ', with uncommitted changes under src/cache' : ''}`,
      replaySeconds,
      speedSeconds,
      load,
    },
    speed,
  )
  const out = args.out ?? DEFAULT_OUT
  writeFileSync(out, report)
  console.error(`wrote ${out} (${cells.length} cells, replay ${replaySeconds.toFixed(0)} s, speed ${speedSeconds.toFixed(0)} s)`)
}

if (args.help) console.log(HELP)
else if (args.trace) await single(args.trace)
else await all()
