/**
 * HTTP benchmark: fastcache against the runtime limit (a bare Bun.serve over a Map) and Webdis over
 * Redis, all on 127.0.0.1, plus memory per key against Redis and start-up. Builds dist/fastcache,
 * starts and stops every server itself, and writes bench/RESULTS-http.md.
 * Run `bun run bench:http --help` for the options.
 */
import { writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { ensureTools, versionOf } from './deps'
import { busyPercent } from './machine'
import { measureMemory, type MemoryResult } from './memory'
import { installSignalHandlers, run, stopAll } from './procs'
import { headline, renderReport } from './report'
import { ROOT } from './servers'
import { measureStartup, type StartupResult } from './startup'
import { measureSize, type Cell } from './throughput'

const DEFAULT_OUT = resolve(ROOT, 'bench/RESULTS-http.md')

const HELP = `usage: bun run bench:http [options]

  --duration S       seconds of each wrk run (default 3)
  --rounds N         rounds per cell, targets alternating (default 3)
  --threads N        wrk threads (default 2)
  --connections N    wrk connections (default 64)
  --keys N           keys preloaded for the throughput runs (default 100000)
  --sizes LIST       value sizes in bytes (default 100,4096)
  --memory-keys N    keys loaded for the memory comparison, 0 to skip (default 1000000)
  --startup-runs N   start-up measurements, 0 to skip (default 10)
  --out FILE         report path (default bench/RESULTS-http.md; with --quick, a file in the temp directory)
  --json FILE        also write every measurement as JSON
  --quick            a smoke run (about a minute): --duration 1 --rounds 1 --keys 10000 --memory-keys 100000
                     --startup-runs 3

The default run takes about 7 minutes on 2 cores.
`

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    duration: { type: 'string' },
    rounds: { type: 'string' },
    threads: { type: 'string' },
    connections: { type: 'string' },
    keys: { type: 'string' },
    sizes: { type: 'string' },
    'memory-keys': { type: 'string' },
    'startup-runs': { type: 'string' },
    out: { type: 'string' },
    json: { type: 'string' },
    quick: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

if (flags.help) {
  process.stdout.write(HELP)
  process.exit(0)
}

/** A flag as a whole number ≥ min, else the quick or the normal default. */
function int(name: keyof typeof flags, normal: number, quick: number, min = 1): number {
  const raw = flags[name]
  if (raw === undefined || typeof raw === 'boolean') return flags.quick ? quick : normal
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min) {
    process.stderr.write(`bench:http: --${name} must be a whole number ≥ ${min}\n`)
    process.exit(2)
  }
  return value
}

const load = { threads: int('threads', 2, 2), connections: int('connections', 64, 64), durationS: int('duration', 3, 1) }
const rounds = int('rounds', 3, 1)
const keys = int('keys', 100_000, 10_000)
const memoryKeys = int('memory-keys', 1_000_000, 100_000, 0)
const startupRuns = int('startup-runs', 10, 3, 0)
const sizes = (flags.sizes ?? '100,4096').split(',').map(Number)
if (sizes.some((s) => !Number.isInteger(s) || s < 16 || s > 1024 * 1024)) {
  process.stderr.write('bench:http: --sizes must be whole numbers of bytes from 16 to 1048576\n')
  process.exit(2)
}
// A smoke run must not overwrite the recorded results.
const out = flags.out ? resolve(flags.out) : flags.quick ? resolve(tmpdir(), 'fastcache-RESULTS-http-quick.md') : DEFAULT_OUT

const log = (message: string) => process.stderr.write(`${message}\n`)
const started = performance.now()
const loadBefore = loadavg()
const busyBefore = await busyPercent()
log(`CPU busy before the run (other jobs): ${busyBefore.toFixed(0)}%`)

installSignalHandlers()
let cells: Cell[] = []
let memory: MemoryResult | undefined
let startup: StartupResult | undefined
let commit = 'unknown'

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

try {
  await ensureTools()
  // The source tree may move while others work in it: record what was built.
  commit = await sourceState()
  log(`building dist/fastcache (bun run build) from ${commit}`)
  await run(['bun', 'run', 'build'], { cwd: ROOT })

  for (const [i, size] of sizes.entries()) {
    log(`throughput with ${size}-byte values`)
    cells.push(...(await measureSize({ keys, size, rounds, load, firstSize: i === 0, log })))
  }
  if (memoryKeys > 0) {
    log(`memory: ${memoryKeys} keys of 100 B`)
    memory = await measureMemory(memoryKeys, 100, log)
  }
  if (startupRuns > 0) {
    log(`start-up: ${startupRuns} runs of bench/startup.ts`)
    startup = await measureStartup(startupRuns)
  }
} finally {
  await stopAll()
}
const busyAfter = await busyPercent()

const [redis, webdis, wrkVersion] = await Promise.all([
  versionOf(['redis-server', '--version']),
  versionOf(['dpkg-query', '-W', '-f', '${Version}', 'webdis']),
  versionOf(['wrk', '-v']),
])
const report = {
  info: {
    command: ['bun run bench:http', ...Bun.argv.slice(2)].join(' '),
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    seconds: (performance.now() - started) / 1000,
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    bun: Bun.version,
    commit,
    redis: redis.replace(/ sha=.*/, ''),
    webdis,
    wrk: wrkVersion.replace(/ \[.*/, '').replace(/ Copyright.*/, ''),
    loadBefore,
    loadAfter: loadavg(),
    busyBefore,
    busyAfter,
    load,
    rounds,
    keys,
    sizes,
  },
  cells,
  memory,
  startup,
}
writeFileSync(out, renderReport(report))
if (flags.json) writeFileSync(resolve(flags.json), JSON.stringify(report, null, 1))
process.stdout.write(`${headline(report)}\n\nwrote ${relative(process.cwd(), out)} in ${Math.round(report.info.seconds)} s\n`)
