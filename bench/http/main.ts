/**
 * HTTP benchmark: fastcache against the runtime limit (a bare Bun.serve over a Map) and Webdis over
 * Redis, all on 127.0.0.1, plus memory per key against Redis and start-up. Builds dist/fastcache,
 * starts and stops every server itself, and writes bench/RESULTS-http.md.
 * Run `bun run bench:http --help` for the options.
 */
import { resolve } from 'node:path'
import { buildFastcache } from './build'
import { ensureTools, versionOf } from './deps'
import { flagReader, parseFlags, WRK_OPTIONS } from './flags'
import { outputPath, writeReport } from './output'
import { measureMemory, type MemoryResult } from './memory'
import { installSignalHandlers, stopAll } from './procs'
import { headline, renderReport } from './report'
import { recordRun } from './run-info'
import { ROOT } from './servers'
import { measureStartup, type StartupResult } from './startup'
import { measureSize, type Cell } from './throughput'

const LABEL = 'bench:http'
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

const flags = parseFlags(
  {
    ...WRK_OPTIONS,
    keys: { type: 'string' },
    sizes: { type: 'string' },
    'memory-keys': { type: 'string' },
    'startup-runs': { type: 'string' },
  },
  HELP,
)
const { int, sizeList } = flagReader(LABEL, flags)

const load = { threads: int('threads', 2, 2), connections: int('connections', 64, 64), durationS: int('duration', 3, 1) }
const rounds = int('rounds', 3, 1)
const keys = int('keys', 100_000, 10_000)
const memoryKeys = int('memory-keys', 1_000_000, 100_000, 0)
const startupRuns = int('startup-runs', 10, 3, 0)
const sizes = sizeList(flags.sizes)
const out = outputPath(flags.out, flags.quick, DEFAULT_OUT, 'fastcache-RESULTS-http-quick.md')

const log = (message: string) => process.stderr.write(`${message}\n`)
const runRecord = await recordRun(log)

installSignalHandlers(LABEL)
const cells: Cell[] = []
let memory: MemoryResult | undefined
let startup: StartupResult | undefined
let commit = 'unknown'

try {
  await ensureTools()
  commit = await buildFastcache(false, log)

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
await runRecord.finish()

const [redis, webdis] = await Promise.all([
  versionOf(['redis-server', '--version']),
  // biome-ignore lint/suspicious/noTemplateCurlyInString: ${Version} is dpkg-query's own format, not a template.
  versionOf(['dpkg-query', '-W', '-f', '${Version}', 'webdis']),
])
const report = {
  info: {
    ...(await runRecord.info(LABEL, commit, { redis: redis.replace(/ sha=.*/, ''), webdis })),
    load,
    rounds,
    keys,
    sizes,
  },
  cells,
  memory,
  startup,
}
writeReport({
  out,
  markdown: renderReport(report),
  json: flags.json,
  data: report,
  headline: headline(report),
  seconds: report.info.seconds,
})
