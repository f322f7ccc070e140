/**
 * Proxy benchmark: cached GETs through fastcache's read-through proxy (`/proxy/{upstream}/...`) against
 * Varnish in front of the same origin, and against the origin itself, all on 127.0.0.1. Builds
 * dist/fastcache, starts and stops every server itself, and writes bench/RESULTS-proxy.md.
 * Run `bun run bench:proxy --help` for the options.
 */
import { writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { ensureTools, versionOf } from '../http/deps'
import { busyPercent } from '../http/machine'
import { installSignalHandlers, run, stopAll } from '../http/procs'
import { ROOT } from '../http/servers'
import { headline, renderReport } from './report'
import { measureSize, type Cell, type HitCheck } from './throughput'

const DEFAULT_OUT = resolve(ROOT, 'bench/RESULTS-proxy.md')
/** Command -> Debian package, for ensureTools. */
const TOOLS = { wrk: 'wrk', varnishd: 'varnish' }

const HELP = `usage: bun run bench:proxy [options]

  --duration S       seconds of each wrk run (default 3)
  --rounds N         rounds per cell, targets alternating (default 3)
  --threads N        wrk threads (default 2)
  --connections N    wrk connections (default 64)
  --keys N           keys warmed into both caches (default 10000)
  --sizes LIST       body sizes in bytes (default 100,4096)
  --skip-build       use dist/fastcache as it is (also BENCH_SKIP_BUILD=1)
  --out FILE         report path (default bench/RESULTS-proxy.md; with --quick, a file in the temp directory)
  --json FILE        also write every measurement as JSON
  --quick            a smoke run (under a minute): --duration 1 --rounds 1 --keys 2000

The default run takes about 3 minutes on 2 cores. Installs wrk and varnish with apt-get when missing.
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
    'skip-build': { type: 'boolean', default: false },
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
    process.stderr.write(`bench:proxy: --${name} must be a whole number ≥ ${min}\n`)
    process.exit(2)
  }
  return value
}

const load = { threads: int('threads', 2, 2), connections: int('connections', 64, 64), durationS: int('duration', 3, 1) }
const rounds = int('rounds', 3, 1)
const keys = int('keys', 10_000, 2_000)
const sizes = (flags.sizes ?? '100,4096').split(',').map(Number)
if (sizes.some((s) => !Number.isInteger(s) || s < 16 || s > 1024 * 1024)) {
  process.stderr.write('bench:proxy: --sizes must be whole numbers of bytes from 16 to 1048576\n')
  process.exit(2)
}
const skipBuild = flags['skip-build'] || process.env.BENCH_SKIP_BUILD === '1'
// A smoke run must not overwrite the recorded results.
const out = flags.out ? resolve(flags.out) : flags.quick ? resolve(tmpdir(), 'fastcache-RESULTS-proxy-quick.md') : DEFAULT_OUT

const log = (message: string) => process.stderr.write(`${message}\n`)
const started = performance.now()
const loadBefore = loadavg()
const busyBefore = await busyPercent()
log(`CPU busy before the run (other jobs): ${busyBefore.toFixed(0)}%`)

installSignalHandlers()
const cells: Cell[] = []
const checks: HitCheck[] = []
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
  await ensureTools(TOOLS, 'bench:proxy')
  commit = await sourceState()
  if (skipBuild) {
    // Then the binary may be older than the source: say so rather than claim a commit.
    commit = `an existing dist/fastcache (build skipped; source at ${commit})`
    log('using dist/fastcache as it is (build skipped)')
  } else {
    log(`building dist/fastcache (bun run build) from ${commit}`)
    await run(['bun', 'run', 'build'], { cwd: ROOT })
  }
  for (const size of sizes) {
    log(`cached GETs with ${size}-byte bodies`)
    const result = await measureSize({ keys, size, rounds, load, log })
    cells.push(...result.cells)
    checks.push(...result.checks)
  }
} finally {
  await stopAll()
}
const busyAfter = await busyPercent()

const [varnish, wrkVersion] = await Promise.all([versionOf(['varnishd', '-V']), versionOf(['wrk', '-v'])])
const report = {
  info: {
    command: ['bun run bench:proxy', ...Bun.argv.slice(2)].join(' '),
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    seconds: (performance.now() - started) / 1000,
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    bun: Bun.version,
    commit,
    varnish: varnish.replace(/ revision \w+/, ''),
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
  checks,
}
writeFileSync(out, renderReport(report))
if (flags.json) writeFileSync(resolve(flags.json), JSON.stringify(report, null, 1))
process.stdout.write(`${headline(report)}\n\nwrote ${relative(process.cwd(), out)} in ${Math.round(report.info.seconds)} s\n`)
