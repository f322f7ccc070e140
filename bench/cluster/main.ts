/**
 * Cluster benchmark: two fastcache instances on one Redis (the shared tier) against a standalone instance,
 * in one run: GETs answered from the near cache, GETs served from Redis (with redis-benchmark on the same
 * Redis for comparison), and the delay before a write on one instance stops the other serving its old copy.
 * Builds dist/fastcache, starts and stops every process itself (127.0.0.1 only), and writes
 * bench/RESULTS-cluster.md. Run `bun run bench:cluster --help` for the options.
 */
import { resolve } from 'node:path'
import { buildFastcache, skipBuildAsked } from '../http/build'
import { ensureTools, versionOf } from '../http/deps'
import { flagReader, parseFlags, SKIP_BUILD_OPTION, WRK_OPTIONS } from '../http/flags'
import { outputPath, writeReport } from '../http/output'
import { loadHttp } from '../http/preload'
import { installSignalHandlers, stopAll } from '../http/procs'
import { recordRun } from '../http/run-info'
import { ROOT, startRedis } from '../http/servers'
import { startInstance, type Instance } from './instances'
import { measureInvalidation, type InvalidationResult } from './invalidation'
import { measureNearHits, type NearHitResult, type PhaseOptions } from './near-hits'
import { measureRedisServed, type RedisServedResult } from './redis-served'
import { headline, renderReport, type Report } from './report'

const LABEL = 'bench:cluster'
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

const flags = parseFlags(
  {
    ...WRK_OPTIONS,
    keys: { type: 'string' },
    size: { type: 'string' },
    'rb-requests': { type: 'string' },
    'rb-threads': { type: 'string' },
    samples: { type: 'string' },
    'poll-ms': { type: 'string' },
    'max-memory': { type: 'string' },
    ...SKIP_BUILD_OPTION,
  },
  HELP,
)
const { num, fail } = flagReader(LABEL, flags)

const load = {
  threads: num('threads', 2, 2, 1, 64),
  connections: num('connections', 64, 64, 1, 10_000),
  durationS: num('duration', 3, 1, 1, 600),
}
if (load.connections < load.threads) fail('--connections must be at least --threads (wrk needs a connection per thread)')
const roundCount = num('rounds', 3, 1, 1, 50)
const keys = num('keys', 10_000, 2_000, 1, 10_000_000)
const size = num('size', 100, 100, 16, 1024 * 1024)
const rbRequests = num('rb-requests', 200_000, 50_000, 1000, 100_000_000)
const rbThreads = num('rb-threads', 1, 1, 1, 64)
const samples = num('samples', 200, 50, 1, 100_000)
const pollMs = num('poll-ms', 1, 1, 0, 1000, true)
const maxMemory = flags['max-memory'] ?? '1gb'
const skipBuild = skipBuildAsked(flags['skip-build'])
const out = outputPath(flags.out, flags.quick, DEFAULT_OUT, 'fastcache-RESULTS-cluster-quick.md')
/**
 * A and B keep near copies this long: B's must outlive its warming, the warm-ups and every near-hit round
 * (2 sides × rounds × duration), with room for the slow start of a busy machine; at least a minute.
 */
const nearTtlS = Math.max(60, Math.ceil(2 * roundCount * (load.durationS + 1) + 30))

const log = (message: string) => process.stderr.write(`${message}\n`)
const runRecord = await recordRun(log)

installSignalHandlers(LABEL)
let commit = 'unknown'
let near: NearHitResult | undefined
let redisServed: RedisServedResult | undefined
let invalidation: InvalidationResult | undefined
const instanceFlags: Record<string, string[]> = {}

try {
  await ensureTools(TOOLS, LABEL)
  commit = await buildFastcache(skipBuild, log)

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
  redisServed = await measureRedisServed(
    C,
    S,
    { port: redis.port, requests: rbRequests, clients: load.connections, threads: rbThreads },
    phase,
  )
  log(`invalidation delay: ${samples} writes on A, polled on B`)
  t0 = performance.now()
  invalidation = await measureInvalidation(A, B, keys, { samples, size, pollMs, timeoutMs: 2000 })
  log(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
} finally {
  await stopAll()
}
await runRecord.finish()

const redisVersion = await versionOf(['redis-server', '--version'])
const report: Report = {
  info: {
    // "Redis server v=7.0.15 sha=… malloc=… bits=64 build=…": the version is what matters.
    ...(await runRecord.info(LABEL, commit, { redis: redisVersion.replace(/^Redis server v=(\S+).*/, 'Redis server $1') })),
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
writeReport({
  out,
  markdown: renderReport(report),
  json: flags.json,
  data: report,
  headline: headline(report),
  seconds: report.info.seconds,
})
