/**
 * Soak benchmark: a bounded overload of dist/fastcache (PUTs at full speed over a key set several times
 * larger than --max-memory, GETs alongside) that samples the charged bytes and the RSS every second and
 * asserts the bound holds, the RSS levels off and no request fails other than as documented. Builds
 * dist/fastcache, starts and stops everything itself (127.0.0.1 only), and writes bench/RESULTS-soak.md
 * with the plot bench/soak-memory.svg. Exits 1 if an assertion fails.
 * Run `bun run bench:soak --help` for the options.
 */
import { writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { dirname, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { ensureTools, versionOf } from '../http/deps'
import { busyPercent } from '../http/machine'
import { installSignalHandlers, run, stopAll } from '../http/procs'
import { ROOT } from '../http/servers'
import { analyse } from './analysis'
import { drive, type Dist, type DriveResult } from './drive'
import { memoryPlot } from './plot'
import { healthStatus, probeMiss, type MissProbe } from './probe'
import { allHold, headline, renderReport } from './report'
import { peakRssKb, startSampler, type Sample, type Sampler } from './sampler'
import { readMetrics, readStats, startServer, type Server } from './server'
import { diffStatusCounts, parseStatusCounts, type StatusCount } from './statuses'

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
  --out FILE         report path (default bench/RESULTS-soak.md; with --quick, a file in the temp directory)
  --svg FILE         plot path (default bench/soak-memory.svg; with --quick, a file in the temp directory)
  --json FILE        also write every sample and slice as JSON
  --quick            a smoke run: --duration 30 --slice 5

The default run takes about 3.5 minutes. Installs wrk and curl with apt-get when missing.
`

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    duration: { type: 'string' },
    slice: { type: 'string' },
    'max-memory': { type: 'string' },
    'value-size': { type: 'string' },
    factor: { type: 'string' },
    connections: { type: 'string' },
    'get-dist': { type: 'string' },
    'rss-growth': { type: 'string' },
    'skip-build': { type: 'boolean', default: false },
    out: { type: 'string' },
    svg: { type: 'string' },
    json: { type: 'string' },
    quick: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

if (flags.help) {
  process.stdout.write(HELP)
  process.exit(0)
}

function fail(message: string): never {
  process.stderr.write(`bench:soak: ${message}\n`)
  process.exit(2)
}

/** A flag as a number in [min, max] (whole unless `real`), else the quick or the normal default. */
function num(name: keyof typeof flags, normal: number, quick: number, min: number, max: number, real = false): number {
  const raw = flags[name]
  if (raw === undefined || typeof raw === 'boolean') return flags.quick ? quick : normal
  const value = Number(raw)
  if (!Number.isFinite(value) || (!real && !Number.isInteger(value)) || value < min || value > max) fail(`--${name} must be a ${real ? 'number' : 'whole number'} from ${min} to ${max}`)
  return value
}

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
const skipBuild = flags['skip-build'] || process.env.BENCH_SKIP_BUILD === '1'
// A smoke run must not overwrite the recorded results.
const out = flags.out ? resolve(flags.out) : flags.quick ? resolve(tmpdir(), 'fastcache-RESULTS-soak-quick.md') : DEFAULT_OUT
const svg = flags.svg ? resolve(flags.svg) : flags.quick ? resolve(tmpdir(), 'fastcache-soak-memory-quick.svg') : DEFAULT_SVG

const log = (message: string) => process.stderr.write(`${message}\n`)
const started = performance.now()
const loadBefore = loadavg()
const busyBefore = await busyPercent()
log(`CPU busy before the run (other jobs): ${busyBefore.toFixed(0)}%`)

installSignalHandlers()

/** The commit the binary is built from, and whether src/ had uncommitted changes. */
async function sourceState(): Promise<string> {
  try {
    const head = (await run(['git', 'rev-parse', '--short', 'HEAD'], { cwd: ROOT })).trim()
    const dirty = (await run(['git', 'status', '--porcelain', '--', 'src', 'bun.lock'], { cwd: ROOT })).trim() !== ''
    return dirty ? `${head} with uncommitted changes` : head
  } catch {
    return 'unknown (not a git checkout)'
  }
}

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

try {
  await ensureTools(TOOLS, 'bench:soak')
  commit = await sourceState()
  if (skipBuild) {
    // Then the binary may be older than the source: say so rather than claim a commit.
    commit = `an existing dist/fastcache (build skipped; source at ${commit})`
    log('using dist/fastcache as it is (build skipped)')
  } else {
    log(`building dist/fastcache (bun run build) from ${commit}`)
    await run(['bun', 'run', 'build'], { cwd: ROOT })
  }

  server = await startServer(maxMemory)
  const first = await readStats(server.url)
  if (first.items !== 0) throw new Error(`a fresh server holds ${first.items} items`)
  // The bound as the server understood --max-memory: the key set is sized from it.
  maxBytes = first.maxBytes
  keys = Math.ceil((factor * maxBytes) / valueSize)
  log(`fastcache at ${server.url}, bound ${maxBytes} B; ${keys} keys of ${valueSize} B (${factor}× the bound); ${durationS} s of load in ${sliceS} s slices`)

  const metricsBefore = parseStatusCounts(await readMetrics(server.url))
  const t0 = performance.now()
  sampler = startSampler(server, t0)
  const live = server
  driven = await drive({
    url: server.url,
    keys,
    valueSize,
    durationS,
    sliceS,
    putConnections: Math.ceil(connections / 2),
    getConnections: Math.floor(connections / 2),
    getDist,
    t0,
    alive: () => live.alive(),
    log,
  })
  loadS = (performance.now() - t0) / 1000
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
} finally {
  if (sampler) samples = await sampler.stop()
  if (server) await server.stop()
  await stopAll()
}
const busyAfter = await busyPercent()

const analysis = analyse({ samples, slices: driven.slices, loadS, statuses, probe, aliveAtEnd, health, rssPeakKb: rssPeak, growthBound, cutShort: driven.cutShort })
const wrkVersion = await versionOf(['wrk', '-v'])
const report = {
  info: {
    command: ['bun run bench:soak', ...Bun.argv.slice(2)].join(' '),
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    seconds: (performance.now() - started) / 1000,
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    bun: Bun.version,
    commit,
    wrk: wrkVersion.replace(/ \[.*/, '').replace(/ Copyright.*/, ''),
    loadBefore,
    loadAfter: loadavg(),
    busyBefore,
    busyAfter,
    maxMemory,
    maxBytes,
    valueSize,
    keys,
    factor,
    durationS,
    loadS,
    sliceS,
    putConnections: Math.ceil(connections / 2),
    getConnections: Math.floor(connections / 2),
    getDist,
    growthBound,
  },
  slices: driven.slices,
  analysis,
  probe,
  serverLog: server?.log ?? [],
  plot: relative(dirname(out), svg),
}
const title = `fastcache, --max-memory ${maxMemory}: ${keys.toLocaleString('en-US')} keys × ${valueSize} B written for ${Math.round(loadS)} s`
writeFileSync(svg, memoryPlot(samples, maxBytes, loadS, title))
writeFileSync(out, renderReport(report))
if (flags.json) writeFileSync(resolve(flags.json), JSON.stringify({ ...report, samples }, null, 1))
process.stdout.write(`${headline(report)}\n\nwrote ${relative(process.cwd(), out)} and ${relative(process.cwd(), svg)} in ${Math.round(report.info.seconds)} s\n`)
// Not process.exit: let the exit hooks run as usual; the status says whether every assertion held.
if (!allHold(report)) process.exitCode = 1
