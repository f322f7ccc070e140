// The server under test: dist/fastcache on a free loopback port with a memory bound, its log kept
// (a warning or an internal error under overload is part of the verdict), and its JSON and metrics reads.
import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { answers, freePort, start, stop, waitUntil, type Child } from '../http/procs'
import type { EngineStats } from '../../src/cache'
import type { LoopDelay } from './loop-monitor'

const LOOP_MONITOR = join(import.meta.dir, 'loop-monitor.ts')

/** The fields of GET /v1/stats this benchmark reads: the engine's own counters. */
export type Stats = Pick<EngineStats, 'items' | 'bytes' | 'maxBytes' | 'hits' | 'misses' | 'sets' | 'evictions' | 'expirations'>

export interface Server {
  url: string
  child: Child
  /** The server's log lines so far (stdout and stderr; at most LOG_LINES of them). */
  log: string[]
  alive(): boolean
  /** The event loop's delay over the server's life so far (see loop-monitor.ts); undefined before its first write. */
  loopDelay(): LoopDelay | undefined
  stop(): Promise<void>
}

/** Enough to see what went wrong without letting a chatty server grow this process without bound. */
const LOG_LINES = 200

/**
 * The environment without FASTCACHE_* variables, so the machine's settings cannot change the server
 * (the same rule as bench/http/servers.ts, whose helper is not exported).
 */
function cleanEnv(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('FASTCACHE_')))
}

/** Reads a child's output to the end so its pipe never fills and blocks the server; keeps the first lines. */
async function drain(stream: ReadableStream<Uint8Array>, into: string[]): Promise<void> {
  const decoder = new TextDecoder()
  let partial = ''
  for await (const chunk of stream) {
    const lines = (partial + decoder.decode(chunk, { stream: true })).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) if (line.trim() !== '' && into.length < LOG_LINES) into.push(line)
  }
  if (partial.trim() !== '' && into.length < LOG_LINES) into.push(partial)
}

export async function startServer(binary: string, maxMemory: string): Promise<Server> {
  const port = freePort()
  const url = `http://127.0.0.1:${port}`
  const cmd = [binary, '--host', '127.0.0.1', '--port', String(port), '--max-memory', maxMemory, '--log-level', 'warn']
  const loopFile = join(tmpdir(), `fastcache-soak-loop-${port}.json`)
  rmSync(loopFile, { force: true })
  const env = { ...cleanEnv(), BUN_OPTIONS: `--preload ${LOOP_MONITOR}`, SOAK_LOOP_DELAY_FILE: loopFile }
  const child = start(cmd, { env, stdout: 'pipe', stderr: 'pipe' })
  const log: string[] = []
  for (const stream of [child.stdout, child.stderr]) if (stream instanceof ReadableStream) void drain(stream, log).catch(() => {})
  const alive = () => child.exitCode === null && child.signalCode === null
  try {
    await waitUntil('fastcache', child, answers(`${url}/health`))
  } catch (error) {
    await stop(child)
    throw new Error(`${(error as Error).message}\n${log.join('\n')}`)
  }
  const loopDelay = () => {
    try {
      return JSON.parse(readFileSync(loopFile, 'utf8')) as LoopDelay
    } catch {
      return undefined
    }
  }
  const stopServer = async () => {
    await stop(child)
    rmSync(loopFile, { force: true })
  }
  return { url, child, log, alive, loopDelay, stop: stopServer }
}

/** GET /v1/stats; throws on a non-200 or after `timeoutMs` (the same bound wrk gives its requests). */
export async function readStats(url: string, timeoutMs = 5000): Promise<Stats> {
  const response = await fetch(`${url}/v1/stats`, { signal: AbortSignal.timeout(timeoutMs) })
  if (response.status !== 200) throw new Error(`/v1/stats answered ${response.status}`)
  return (await response.json()) as Stats
}

/** GET /metrics as text. */
export async function readMetrics(url: string, timeoutMs = 5000): Promise<string> {
  const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(timeoutMs) })
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`)
  return response.text()
}
