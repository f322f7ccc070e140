/**
 * Proxy benchmark: cached GETs through fastcache's read-through proxy (`/proxy/{upstream}/...`) against
 * Varnish in front of the same origin, and against the origin itself, all on 127.0.0.1. Builds
 * dist/fastcache, starts and stops every server itself, and writes bench/RESULTS-proxy.md.
 * Run `bun run bench:proxy --help` for the options.
 */
import { resolve } from 'node:path'
import { buildFastcache, skipBuildAsked } from '../http/build'
import { ensureTools, versionOf } from '../http/deps'
import { flagReader, parseFlags, SKIP_BUILD_OPTION, WRK_OPTIONS } from '../http/flags'
import { outputPath, writeReport } from '../http/output'
import { installSignalHandlers, stopAll } from '../http/procs'
import { recordRun } from '../http/run-info'
import { ROOT } from '../http/servers'
import { headline, renderReport } from './report'
import { measureSize, type Cell, type HitCheck } from './throughput'

const LABEL = 'bench:proxy'
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

const flags = parseFlags({ ...WRK_OPTIONS, keys: { type: 'string' }, sizes: { type: 'string' }, ...SKIP_BUILD_OPTION }, HELP)
const { int, sizeList } = flagReader(LABEL, flags)

const load = { threads: int('threads', 2, 2), connections: int('connections', 64, 64), durationS: int('duration', 3, 1) }
const rounds = int('rounds', 3, 1)
const keys = int('keys', 10_000, 2_000)
const sizes = sizeList(flags.sizes)
const skipBuild = skipBuildAsked(flags['skip-build'])
const out = outputPath(flags.out, flags.quick, DEFAULT_OUT, 'fastcache-RESULTS-proxy-quick.md')

const log = (message: string) => process.stderr.write(`${message}\n`)
const runRecord = await recordRun(log)

installSignalHandlers(LABEL)
const cells: Cell[] = []
const checks: HitCheck[] = []
let commit = 'unknown'

try {
  await ensureTools(TOOLS, LABEL)
  commit = await buildFastcache(skipBuild, log)
  for (const size of sizes) {
    log(`cached GETs with ${size}-byte bodies`)
    const result = await measureSize({ keys, size, rounds, load, log })
    cells.push(...result.cells)
    checks.push(...result.checks)
  }
} finally {
  await stopAll()
}
await runRecord.finish()

const varnish = await versionOf(['varnishd', '-V'])
const report = {
  info: {
    ...(await runRecord.info(LABEL, commit, { varnish: varnish.replace(/ revision \w+/, '') })),
    load,
    rounds,
    keys,
    sizes,
  },
  cells,
  checks,
}
writeReport({
  out,
  markdown: renderReport(report),
  json: flags.json,
  data: report,
  headline: headline(report),
  seconds: report.info.seconds,
})
