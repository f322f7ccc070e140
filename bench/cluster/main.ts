/**
 * Cluster benchmark: two fastcache instances on one Redis (the shared tier) against a standalone instance,
 * in one run: GETs answered from the near cache, GETs served from Redis (with redis-benchmark on the same
 * Redis for comparison), and the delay before a write on one instance stops the other serving its old copy.
 * Builds dist/fastcache, starts and stops every process itself (127.0.0.1 only), and writes
 * bench/RESULTS-cluster.md. Run `bun run bench:cluster --help` for the options.
 */
import { writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { ensureTools, versionOf } from '../http/deps'
import { busyPercent } from '../http/machine'
import { loadHttp } from '../http/preload'
import { installSignalHandlers, run, stopAll } from '../http/procs'
import { ROOT, startRedis } from '../http/servers'
import { startInstance, type Instance } from './instances'
import { measureInvalidation, type InvalidationResult } from './invalidation'
import { measureNearHits, type NearHitResult, type PhaseOptions } from './near-hits'
import { measureRedisServed, type RedisServedResult } from './redis-served'
import { headline, renderReport, type Report } from './report'

const DEFAULT_OUT = resolve(ROOT, 'bench/RESULTS-cluster.md')
/** Command -> Debian package, for ensureTools. */
const TOOLS = { wrk: 'wrk', 'redis-server': 'redis-server', 'redis-cli': 'redis-tools', 'redis-benchmark': 'redis-tools' }

const HELP = `usage: bun run bench:cluster [options]

  --duration S       seconds of each wrk run (default 3)
  --rounds N         rounds per measurement, sides alternating (default 3)
  --threads N        wrk threads (default 2)
  --connections N    wrk connections, also redis-benchmark's -c (default 64)
  --keys N           keys preloaded (default 10000)
  --size B           bytes of each value (default 100)
  --rb-requests N    requests of each redis-benchmark run, -n (default 200000)
  --rb-threads N     redis-benchmark --threads (default 1: its own default, one client thread)
  --samples N        writes timed for the invalidation delay (default 200)
  --poll-ms MS       interval of the polls of B after a write (default 1)
  --max-memory SIZE  --max-memory of every instance (default 1gb)
  --skip-build       use dist/fastcache as it is (also BENCH_SKIP_BUILD=1)
  --out FILE         report path (default bench/RESULTS-cluster.md; with --quick, a file in the temp directory)
  --json FILE        also write every measurement as JSON
  --quick            a smoke run (under a minute): --duration 1 --rounds 1 --keys 2000 --rb-requests 50000 --samples 50

The default run takes about 2 minutes on 2 cores, plus the build. Installs wrk, redis-server and redis-tools
with apt-get when missing.
`

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    duration: { type: 'string' },
    rounds: { type: 'string' },
    threads: { type: 'string' },
    connections: { type: 'string' },
    keys: { type: 'string' },
    size: { type: 'string' },
    'rb-requests': { type: 'string' },
    'rb-threads': { type: 'string' },
    samples: { type: 'string' },
    'poll-ms': { type: 'string' },
    'max-memory': { type: 'string' },
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

function fail(message: string): never {
  process.stderr.write(`bench:cluster: ${message}\n`)
  process.exit(2)
}

/** A flag as a number in [min, max] (whole unless `real`), else the quick or the normal default. */
function num(name: keyof typeof flags, normal: number, quick: number, min: number, max: number, real = false): number {
  const raw = flags[name]
  if (raw === undefined || typeof raw === 'boolean') return flags.quick ? quick : normal
  const value = Number(raw)
  if (!Number.isFinite(value) || (!real && !Number.isInteger(value)) || value < min || value > max) fail(`--${name} must be a ${real ? '' : 'whole '}number from ${min} to ${max}`)
  return value
}

const load = { threads: num('threads', 2, 2, 1, 64), connections: num('connections', 64, 64, 1, 10_000), durationS: num('duration', 3, 1, 1, 600) }
if (load.connections < load.threads) fail('--connections must be at least --threads (wrk needs a connection per thread)')
const roundCount = num('rounds', 3, 1, 1, 50)
const keys = num('keys', 10_000, 2_000, 1, 10_000_000)
const size = num('size', 100, 100, 16, 1024 * 1024)
const rbRequests = num('rb-requests', 200_000, 50_000, 1000, 100_000_000)
const rbThreads = num('rb-threads', 1, 1, 1, 64)
const samples = num('samples', 200, 50, 1, 100_000)
const pollMs = num('poll-ms', 1, 1, 0, 1000, true)
const maxMemory = flags['max-memory'] ?? '1gb'
const skipBuild = flags['skip-build'] || process.env.BENCH_SKIP_BUILD === '1'
// A smoke run must not overwrite the recorded results.
const out = flags.out ? resolve(flags.out) : flags.quick ? resolve(tmpdir(), 'fastcache-RESULTS-cluster-quick.md') : DEFAULT_OUT
/**
 * A and B keep near copies this long: B's must outlive its warming, the warm-ups and every near-hit round
 * (2 sides × rounds × duration), with room for the slow start of a busy machine; at least a minute.
 */
const nearTtlS = Math.max(60, Math.ceil(2 * roundCount * (load.durationS + 1) + 30))

const log = (message: string) => process.stderr.write(`${message}\n`)

/** The commit the binary is built from, and whether src/ had uncommitted changes (as bench:proxy). */
async function sourceState(): Promise<string> {
  try {
    const head = (await run(['git', 'rev-parse', '--short', 'HEAD'], { cwd: ROOT })).trim()
    const dirty = (await run(['git', 'status', '--porcelain', '--', 'src', 'bun.lock'], { cwd: ROOT })).trim() !== ''
    return dirty ? `${head} with uncommitted changes` : head
  } catch {
    return 'unknown (not a git checkout)'
  }
}

const started = performance.now()
const loadBefore = loadavg()
const busyBefore = await busyPercent()
log(`CPU busy before the run (other jobs): ${busyBefore.toFixed(0)}%`)

installSignalHandlers()
let commit = 'unknown'
let near: NearHitResult | undefined
let redisServed: RedisServedResult | undefined
let invalidation: InvalidationResult | undefined
const instanceFlags: Record<string, string[]> = {}

try {
  await ensureTools(TOOLS, 'bench:cluster')
  commit = await sourceState()
  if (skipBuild) {
    // Then the binary may be older than the source: say so rather than claim a commit.
    commit = `an existing dist/fastcache (build skipped; source at ${commit})`
    log('using dist/fastcache as it is (build skipped)')
  } else {
    log(`building dist/fastcache (bun run build) from ${commit}`)
    await run(['bun', 'run', 'build'], { cwd: ROOT })
  }

  const redis = await startRedis()
  log(`redis-server on 127.0.0.1:${redis.port}`)
  // Started one after another so their start-up does not overlap; all stay up to the end (idle ones cost little).
  const shared = { maxMemory, redisPort: redis.port }
  const instances: Record<'A' | 'B' | 'C' | 'S', Instance> = {
    A: await startInstance('A', { ...shared, nearCacheTtl: `${nearTtlS}s` }),
    B: await startInstance('B', { ...shared, nearCacheTtl: `${nearTtlS}s` }),
    C: await startInstance('C', { ...shared, nearCacheTtl: '0' }),
    S: await startInstance('S', { maxMemory }),
  }
  for (const instance of Object.values(instances)) instanceFlags[instance.name] = instance.flags
  const { A, B, C, S } = instances

  let t0 = performance.now()
  await loadHttp(A.url, keys, size)
  await loadHttp(S.url, keys, size)
  log(`preloaded ${keys} keys of ${size} B through A (into Redis) and into S in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

  const phase: PhaseOptions = { keys, size, rounds: roundCount, load, log }
  log('near-cache hits: B against S')
  near = await measureNearHits(B, S, nearTtlS, phase)
  log('near-cache misses served from Redis: C against S and redis-benchmark')
  redisServed = await measureRedisServed(C, S, { port: redis.port, requests: rbRequests, clients: load.connections, threads: rbThreads }, phase)
  log(`invalidation delay: ${samples} writes on A, polled on B`)
  t0 = performance.now()
  invalidation = await measureInvalidation(A, B, keys, { samples, size, pollMs, timeoutMs: 2000 })
  log(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
} finally {
  await stopAll()
}
const busyAfter = await busyPercent()

const [redisVersion, wrkVersion] = await Promise.all([versionOf(['redis-server', '--version']), versionOf(['wrk', '-v'])])
const report: Report = {
  info: {
    command: ['bun run bench:cluster', ...Bun.argv.slice(2)].join(' '),
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    seconds: (performance.now() - started) / 1000,
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    bun: Bun.version,
    commit,
    // "Redis server v=7.0.15 sha=… malloc=… bits=64 build=…": the version is what matters.
    redis: redisVersion.replace(/^Redis server v=(\S+).*/, 'Redis server $1'),
    wrk: wrkVersion.replace(/ \[.*/, '').replace(/ Copyright.*/, ''),
    loadBefore,
    loadAfter: loadavg(),
    busyBefore,
    busyAfter,
    load,
    rounds: roundCount,
    keys,
    size,
    maxMemory,
    nearTtlS,
    pollMs,
    rbThreads,
    flags: instanceFlags,
  },
  near: near!,
  redis: redisServed!,
  invalidation: invalidation!,
}
writeFileSync(out, renderReport(report))
if (flags.json) writeFileSync(resolve(flags.json), JSON.stringify(report, null, 1))
process.stdout.write(`${headline(report)}\n\nwrote ${relative(process.cwd(), out)} in ${Math.round(report.info.seconds)} s\n`)
