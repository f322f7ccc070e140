// Runs one wrk measurement with a Lua scenario script and reads the JSON line its done() prints.
import { resolve } from 'node:path'
import { run } from './procs'

/** wrk runs in this folder so the scripts' `require "common"` finds lua/common.lua. */
export const LUA_DIR = resolve(import.meta.dir, 'lua')

export interface Load {
  threads: number
  connections: number
  durationS: number
}

export interface WrkResult {
  requests: number
  rps: number
  p50Ms: number
  p90Ms: number
  p99Ms: number
  maxMs: number
  /** Responses outside 2xx/3xx (expected only in the miss scenario). */
  non2xx: number
  /** Connect, read, write and timeout errors. */
  socketErrors: number
}

interface DoneLine {
  requests: number
  duration_us: number
  p50_us: number
  p90_us: number
  p99_us: number
  max_us: number
  connect: number
  read: number
  write: number
  status: number
  timeout: number
}

export async function wrk(url: string, script: string, args: string[], load: Load): Promise<WrkResult> {
  const cmd = [
    'wrk',
    `-t${load.threads}`,
    `-c${load.connections}`,
    `-d${load.durationS}s`,
    // A request slower than this counts as a timeout error rather than stalling the run.
    '--timeout',
    '5s',
    '-s',
    script,
    url,
    '--',
    ...args,
  ]
  // A hard bound on top of wrk's own -d, in case a server stops answering altogether.
  const timer = AbortSignal.timeout((load.durationS + 20) * 1000)
  const out = await Promise.race([
    run(cmd, { cwd: LUA_DIR }),
    new Promise<never>((_, reject) => timer.addEventListener('abort', () => reject(new Error(`wrk did not finish: ${cmd.join(' ')}`)))),
  ])
  const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '))
  if (line === undefined) throw new Error(`no summary from wrk:\n${out}`)
  const d = JSON.parse(line.slice('BENCH_JSON '.length)) as DoneLine
  return {
    requests: d.requests,
    rps: d.requests / (d.duration_us / 1e6),
    p50Ms: d.p50_us / 1000,
    p90Ms: d.p90_us / 1000,
    p99Ms: d.p99_us / 1000,
    maxMs: d.max_us / 1000,
    non2xx: d.status,
    socketErrors: d.connect + d.read + d.write + d.timeout,
  }
}

/** A run's errors for its log line: `, N non-2xx` and `, N socket errors`, each only when there were any. */
export const wrkErrors = (r: WrkResult) =>
  (r.non2xx ? `, ${r.non2xx} non-2xx` : '') + (r.socketErrors ? `, ${r.socketErrors} socket errors` : '')

/**
 * Why a cell's runs are not to be trusted: socket errors, and non-2xx answers, unless the runs ask for
 * missing keys (`misses`), where every answer should be one.
 */
export function wrkProblems(rounds: WrkResult[], misses = false): string[] {
  const problems: string[] = []
  const socket = rounds.reduce((sum, r) => sum + r.socketErrors, 0)
  const status = rounds.reduce((sum, r) => sum + r.non2xx, 0)
  if (socket > 0) problems.push(`${socket} socket errors`)
  if (!misses && status > 0) problems.push(`${status} non-2xx answers`)
  // wrk counts an answer >= 400 as a status error: every miss should be one (a 404).
  if (misses && status < 0.99 * rounds.reduce((sum, r) => sum + r.requests, 0)) problems.push('misses answered 2xx')
  return problems
}
