// redis-benchmark as a side of the throughput rounds: Redis alone, with no HTTP and no fastcache in front,
// on the same redis-server the instances use. Its --csv output gives req/s and latency percentiles.
import { run } from '../http/procs'
import type { Measurement, Side } from './throughput'

export interface RedisBenchmarkOptions {
  port: number
  /** -n: requests per run. */
  requests: number
  /** -c: connections. */
  clients: number
  /** --threads: client threads (1: redis-benchmark's default, one thread). */
  threads: number
}

/** The options every run shares, before the test selection. */
const common = (options: RedisBenchmarkOptions, port: string) => [
  '-h',
  '127.0.0.1',
  '-p',
  port,
  '-n',
  String(options.requests),
  '-c',
  String(options.clients),
  '-P',
  '1',
  ...(options.threads > 1 ? ['--threads', String(options.threads)] : []),
]

/** Parses the two lines of `redis-benchmark --csv` (header, then one row per test); takes the first row. */
export function parseCsv(out: string): { rps: number; p50Ms: number; p99Ms: number } {
  const lines = out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('"'))
  const header = lines[0]?.split(',').map((c) => c.replaceAll('"', ''))
  // The test name may itself hold commas (a command line): take the numeric fields from the end.
  const row = lines[1]?.split(',').map((c) => c.replaceAll('"', ''))
  if (header === undefined || row === undefined) throw new Error(`no CSV from redis-benchmark:\n${out}`)
  const field = (name: string) => {
    const fromEnd = header.length - header.indexOf(name)
    const value = Number(row[row.length - fromEnd])
    if (header.indexOf(name) < 0 || !Number.isFinite(value)) throw new Error(`redis-benchmark CSV has no ${name}:\n${out}`)
    return value
  }
  return { rps: field('rps'), p50Ms: field('p50_latency_ms'), p99Ms: field('p99_latency_ms') }
}

/**
 * One redis-benchmark run per measure(): `args` are the test selection (e.g. `-t get`, or a command after
 * the options). -P 1: one request per round trip, like fastcache's own client for a single GET.
 */
export function redisBenchmarkSide(name: string, options: RedisBenchmarkOptions, args: string[]): Side {
  const cmd = ['redis-benchmark', ...common(options, String(options.port)), '--csv', ...args]
  return {
    name,
    measure: async (): Promise<Measurement> => {
      // A hard bound, as for wrk: Redis would have to answer under 1,000 req/s to need this long.
      const timer = AbortSignal.timeout(Math.max(60_000, options.requests))
      const out = await Promise.race([
        run(cmd),
        new Promise<never>((_, reject) =>
          timer.addEventListener('abort', () => reject(new Error(`redis-benchmark did not finish: ${cmd.join(' ')}`))),
        ),
      ])
      return { requests: options.requests, errors: 0, ...parseCsv(out) }
    },
  }
}

/** The command line of a side, for the report. */
export function redisBenchmarkCommand(options: RedisBenchmarkOptions, args: string[]): string {
  return ['redis-benchmark', ...common(options, '<redis>'), ...args].join(' ')
}
