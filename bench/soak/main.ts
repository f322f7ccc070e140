/**
 * Soak benchmark: a bounded overload of dist/fastcache (PUTs at full speed over a key set several times
 * larger than --max-memory, GETs alongside) that samples the charged bytes and the RSS every second and
 * asserts the bound holds, the RSS levels off and no request fails other than as documented. Builds
 * dist/fastcache, starts and stops everything itself (127.0.0.1 only), and writes bench/RESULTS-soak.md
 * with the plot bench/soak-memory.svg. Exits 1 if an assertion fails.
 * Run `bun run bench:soak --help` for the options.
 */
import { existsSync, writeFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import { buildFastcache, skipBuildAsked } from '../http/build'
import { ensureTools } from '../http/deps'
import { flagReader, parseFlags, SKIP_BUILD_OPTION } from '../http/flags'
import { outputPath, writeReport } from '../http/output'
import { installSignalHandlers, stopAll } from '../http/procs'
import { recordRun } from '../http/run-info'
import { BINARY, ROOT } from '../http/servers'
import { analyse } from './analysis'
import { drive, type Dist, type DriveResult, type Workload } from './drive'
import { memoryPlot } from './plot'
import { healthStatus, probeMiss, type MissProbe } from './probe'
import { allHold, type BaselineRun, headline, renderReport } from './report'
import type { LoopDelay } from './loop-monitor'
import { peakRssKb, startSampler, type Sample, type Sampler } from './sampler'
import { readMetrics, readStats, startServer, type Server } from './server'
import { diffStatusCounts, parseStatusCounts, type StatusCount } from './statuses'

const LABEL = 'bench:soak'
const DEFAULT_OUT = resolve(ROOT, 'bench/RESULTS-soak.md')
const DEFAULT_SVG = resolve(ROOT, 'bench/soak-memory.svg')
/** Command -> Debian package, for ensureTools. */
const TOOLS = { wrk: 'wrk', curl: 'curl' }

const HELP = `usage: bun run bench:soak [options]

  --duration S       seconds of load (default 180)
  --slice S          seconds of each wrk run; the load is consecutive slices (default 10)
  --max-memory SIZE  the server's --max-memory (default 64mb)
  --value-size B     bytes of each PUT value (default 1024)
  --factor F         the key set holds F × the bound in values (default 5)
  --connections N    wrk connections in all, half writing and half reading (default 64)
  --get-dist D       key choice of the reads: zipf (0.99) or uniform (default zipf); writes are uniform
  --rss-growth PCT   allowed RSS growth from the middle to the last third of the run (default 10)
  --skip-build       use dist/fastcache as it is (also BENCH_SKIP_BUILD=1)
  --baseline-binary PATH
                     after this build, soak another one (e.g. built from an older commit) the same way;
                     its event-loop delay, RSS and throughput are reported beside this build's
  --out FILE         report path (default bench/RESULTS-soak.md; with --quick, a file in the temp directory)
  --svg FILE         plot path (default bench/soak-memory.svg; with --quick, a file in the temp directory)
  --json FILE        also write every sample and slice as JSON
  --quick            a smoke run: --duration 30 --slice 5

The default run takes about 3.5 minutes (7 with --baseline-binary). Installs wrk and curl with apt-get when missing.
`

const flags = parseFlags(
  {
    duration: { type: 'string' },
    slice: { type: 'string' },
    'max-memory': { type: 'string' },
    'value-size': { type: 'string' },
    factor: { type: 'string' },
    connections: { type: 'string' },
    'get-dist': { type: 'string' },
    'rss-growth': { type: 'string' },
    'baseline-binary': { type: 'string' },
    ...SKIP_BUILD_OPTION,
    svg: { type: 'string' },
  },
  HELP,
)
const { num, fail } = flagReader(LABEL, flags)

const durationS = num('duration', 180, 30, 6, 3600)
const sliceS = Math.min(durationS, num('slice', 10, 5, 1, 600))
const valueSize = num('value-size', 1024, 1024, 16, 1024 * 1024)
const factor = num('factor', 5, 5, 1, 100, true)
const connections = num('connections', 64, 64, 2, 10_000)
const growthBound = num('rss-growth', 10, 10, 1, 1000, true) / 100
const maxMemory = flags['max-memory'] ?? '64mb'
// The server parses the size; this only keeps the argument to something that looks like one.
if (!/^\d+(\.\d+)?\s*[a-z]*$/i.test(maxMemory)) fail('--max-memory must be a size such as 64mb')
const getDist = (flags['get-dist'] ?? 'zipf') as Dist
if (getDist !== 'zipf' && getDist !== 'uniform') fail('--get-dist must be zipf or uniform')
const workload: Workload = {
  valueSize,
  durationS,
  sliceS,
  // Half the connections write, half read.
  putConnections: Math.ceil(connections / 2),
  getConnections: Math.floor(connections / 2),
  getDist,
}
const skipBuild = skipBuildAsked(flags['skip-build'])
const baselineBinary = flags['baseline-binary'] === undefined ? undefined : resolve(flags['baseline-binary'])
if (baselineBinary !== undefined && !existsSync(baselineBinary)) fail(`--baseline-binary: no file ${baselineBinary}`)
const out = outputPath(flags.out, flags.quick, DEFAULT_OUT, 'fastcache-RESULTS-soak-quick.md')
const svg = outputPath(flags.svg, flags.quick, DEFAULT_SVG, 'fastcache-soak-memory-quick.svg')

const log = (message: string) => process.stderr.write(`${message}\n`)
const runRecord = await recordRun(log)

installSignalHandlers(LABEL)

let commit = 'unknown'
let server: Server | undefined
let sampler: Sampler | undefined
let samples: Sample[] = []
let driven: DriveResult = { slices: [] }
let statuses: StatusCount[] = []
let probe: MissProbe | undefined
let health = 0
let aliveAtEnd = false
let rssPeak: number | undefined
let maxBytes = 0
let keys = 0
let loadS = 0
let loopDelay: LoopDelay | undefined
let baseline: BaselineRun | undefined

try {
  await ensureTools(TOOLS, LABEL)
  commit = await buildFastcache(skipBuild, log)

  server = await startServer(BINARY, maxMemory)
  const first = await readStats(server.url)
  if (first.items !== 0) throw new Error(`a fresh server holds ${first.items} items`)
  // The bound as the server understood --max-memory: the key set is sized from it.
  maxBytes = first.maxBytes
  keys = Math.ceil((factor * maxBytes) / valueSize)
  log(
    `fastcache at ${server.url}, bound ${maxBytes} B; ${keys} keys of ${valueSize} B (${factor}× the bound); ${durationS} s of load in ${sliceS} s slices`,
  )

  const metricsBefore = parseStatusCounts(await readMetrics(server.url))
  const t0 = performance.now()
  sampler = startSampler(server, t0)
  const live = server
  driven = await drive({ ...workload, url: server.url, keys, t0, alive: () => live.alive(), log })
  loadS = (performance.now() - t0) / 1000
  loopDelay = server.loopDelay()
  samples = await sampler.stop()
  sampler = undefined
  rssPeak = await peakRssKb(server.child.pid)

  aliveAtEnd = server.alive()
  if (aliveAtEnd) {
    // Status counts first, so the probe's own 404 is not among the load's.
    statuses = diffStatusCounts(metricsBefore, parseStatusCounts(await readMetrics(server.url)))
    probe = await probeMiss(server.url, keys)
    health = await healthStatus(server.url)
    aliveAtEnd = server.alive()
  }
  await server.stop()
  if (baselineBinary !== undefined) {
    log(`baseline ${baselineBinary}: the same load`)
    baseline = await soakBaseline(baselineBinary)
  }
} finally {
  if (sampler) samples = await sampler.stop()
  if (server) await server.stop()
  await stopAll()
}

/** The same load on another build: what it is compared by (event-loop delay, RSS, throughput). */
async function soakBaseline(binary: string): Promise<BaselineRun> {
  const other = await startServer(binary, maxMemory)
  try {
    const t0 = performance.now()
    const otherSampler = startSampler(other, t0)
    const run = await drive({ ...workload, url: other.url, keys, t0, alive: () => other.alive(), log })
    const seconds = (performance.now() - t0) / 1000
    const delay = other.loopDelay()
    const otherSamples = await otherSampler.stop()
    const peak = await peakRssKb(other.child.pid)
    const figures = analyse({
      samples: otherSamples,
      slices: run.slices,
      loadS: seconds,
      statuses: [],
      probe: undefined,
      aliveAtEnd: other.alive(),
      health: 0,
      rssPeakKb: peak,
      growthBound,
      cutShort: run.cutShort,
    })
    return { binary, loopDelay: delay, memory: figures.memory, requests: figures.requests }
  } finally {
    await other.stop()
  }
}
await runRecord.finish()

const analysis = analyse({
  samples,
  slices: driven.slices,
  loadS,
  statuses,
  probe,
  aliveAtEnd,
  health,
  rssPeakKb: rssPeak,
  growthBound,
  cutShort: driven.cutShort,
})
const report = {
  info: { ...(await runRecord.info(LABEL, commit)), maxMemory, maxBytes, keys, factor, ...workload, loadS, growthBound },
  slices: driven.slices,
  analysis,
  loopDelay,
  baseline,
  probe,
  serverLog: server?.log ?? [],
  plot: relative(dirname(out), svg),
}
const title = `fastcache, --max-memory ${maxMemory}: ${keys.toLocaleString('en-US')} keys × ${valueSize} B written for ${Math.round(loadS)} s`
writeFileSync(svg, memoryPlot(samples, maxBytes, loadS, title))
writeReport({
  out,
  markdown: renderReport(report),
  json: flags.json,
  data: { ...report, samples },
  headline: headline(report),
  alsoWrote: [svg],
  seconds: report.info.seconds,
})
// Not process.exit: let the exit hooks run as usual; the status says whether every assertion held.
if (!allHold(report)) process.exitCode = 1
