import { afterAll, beforeAll } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createApp } from '../../src/app'
import { baseConfig } from './app'
import { replyChecker } from './reply-check'

// Drives the compiled binary over a real socket. FASTCACHE_BIN names a prebuilt binary (CI);
// otherwise the binary is built once per test run with the project's own build script.
export const root = resolve(import.meta.dir, '../..')
export const binary = process.env.FASTCACHE_BIN ? resolve(process.env.FASTCACHE_BIN) : join(root, 'dist/fastcache')

export interface Server {
  proc: Bun.Subprocess<'ignore', 'pipe', 'pipe'>
  url: string
  port: number
  startLog: Record<string, unknown>
  /** The lines logged before the start line (loading persisted data, warnings). */
  earlierLines: string[]
  /** Everything the server has written to stderr so far (it is read on in the background). */
  output(): string
  /** The first log line from now on that `match` accepts (lines are JSON); rejects after `timeoutMs`. */
  nextLine(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>
  /** All of stderr, once the process has exited. */
  closed: Promise<string>
}

export interface StartOptions {
  cwd?: string
  env?: Record<string, string>
  /** A command that runs the binary given as its arguments (to set limits, say). */
  launcher?: string[]
}

let built: Promise<void> | undefined

/**
 * The environment servers start in unless a test gives one: this process's, without any FASTCACHE_*
 * variable, so neither a developer's settings nor the tests' own switches (FASTCACHE_BIN,
 * FASTCACHE_REQUIRE_REDIS) reach the server.
 */
export const serverEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('FASTCACHE_'))) as Record<
  string,
  string
>

/** The binary's routes, read from the same source in this process. */
let checkReply: ReturnType<typeof replyChecker> | undefined

/**
 * A fetch that checks every reply from a server the harness started against its route's declared
 * replies, as testApp() does. Proxied paths are left alone: their bodies stream from an upstream
 * (some tests stall them on purpose) and any status may be the upstream's.
 */
function checkingFetch(original: typeof fetch, isOurs: (url: string) => boolean): typeof fetch {
  const checked = async (input: string | URL | Request, init?: RequestInit) => {
    const response = await original(input, init)
    const url = input instanceof Request ? input.url : String(input)
    if (!isOurs(url) || new URL(url).pathname.startsWith('/proxy/')) return response
    checkReply ??= replyChecker(createApp(baseConfig, { sweepIntervalMs: 0 }).routes)
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET')
    const text = await response.clone().text()
    checkReply(method.toUpperCase(), url, { status: response.status, headers: response.headers, text })
    return response
  }
  return Object.assign(checked, original) as typeof fetch
}

function buildOnce(): Promise<void> {
  built ??= (async () => {
    if (process.env.FASTCACHE_BIN) return
    const build = Bun.spawn(['bun', 'run', 'build'], { cwd: root, stdout: 'ignore', stderr: 'pipe' })
    if ((await build.exited) !== 0) throw new Error(`build failed: ${await new Response(build.stderr).text()}`)
  })()
  return built
}

/**
 * Call at the top of an e2e test file: builds the binary before its tests (once per run), and after
 * them kills whatever they left running and removes their working directory. (Hooks must be
 * registered by each file: one registered in this shared module would only apply to the first.)
 */
export function binaryHarness() {
  const running = new Set<Bun.Subprocess>()
  const workDir = mkdtempSync(join(tmpdir(), 'fastcache-e2e-'))
  const origins = new Set<string>()
  const originalFetch = globalThis.fetch
  beforeAll(buildOnce, 120_000)
  beforeAll(() => {
    globalThis.fetch = checkingFetch(originalFetch, (url) => origins.has(new URL(url).origin))
  })
  afterAll(() => {
    globalThis.fetch = originalFetch
    for (const proc of running) proc.kill('SIGKILL')
    running.clear()
    rmSync(workDir, { recursive: true, force: true })
  })

  /** Starts the binary on a free port (--port 0) and reads the address from its start log line. */
  async function start(args: string[] = [], options: StartOptions = {}): Promise<Server> {
    const proc = Bun.spawn([...(options.launcher ?? []), binary, '--port', '0', ...args], {
      cwd: options.cwd ?? workDir,
      env: options.env ?? serverEnv,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    })
    running.add(proc)
    const reader = proc.stderr.getReader()
    const decoder = new TextDecoder()
    let buffered = ''
    const waiters = new Set<() => void>()
    // stderr is read to its end in the background, so the pipe never fills and tests can look at every line.
    const closed = (async () => {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        buffered += decoder.decode(chunk.value, { stream: true })
        for (const wake of waiters) wake()
      }
      for (const wake of waiters) wake()
      return buffered
    })()
    let exited = false
    void closed.then(() => (exited = true))
    const changed = () =>
      new Promise<void>((resolve) =>
        waiters.add(function wake() {
          waiters.delete(wake)
          resolve()
        }),
      )
    const deadline = Date.now() + 10_000
    // Lines before it (loading persisted data) are kept; the start line carries the address.
    const findStart = () => buffered.split('\n').find((line) => line.includes('"fastcache started"'))
    let startLine = findStart()
    while (startLine === undefined) {
      if (exited) throw new Error(`the server exited before starting: ${buffered}`)
      if (Date.now() > deadline) throw new Error('the server did not log its start in time')
      await Promise.race([changed(), Bun.sleep(100)])
      startLine = findStart()
    }
    const lines = buffered.split('\n')
    const startLog = JSON.parse(startLine) as Record<string, unknown>
    const url = String(startLog.address)
    origins.add(new URL(url).origin)
    const seen = buffered.length
    let from = seen
    async function nextLine(match: (line: Record<string, unknown>) => boolean, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs
      for (;;) {
        const complete = buffered.lastIndexOf('\n') + 1
        for (const line of buffered.slice(from, complete).split('\n')) {
          from += line.length + 1
          if (line !== '' && match(JSON.parse(line) as Record<string, unknown>)) return JSON.parse(line) as Record<string, unknown>
        }
        from = complete
        if (exited || Date.now() > until) throw new Error(`no such line in time; stderr so far:\n${buffered}`)
        await Promise.race([changed(), Bun.sleep(50)])
      }
    }
    return {
      proc,
      url,
      port: Number(new URL(url).port),
      startLog,
      earlierLines: lines.slice(0, lines.indexOf(startLine)),
      output: () => buffered,
      nextLine,
      closed,
    }
  }

  /** Sends `signal` (SIGTERM: a clean stop) and returns the exit code. */
  async function stop(server: Server, signal: NodeJS.Signals = 'SIGTERM'): Promise<number> {
    server.proc.kill(signal)
    const code = await server.proc.exited
    running.delete(server.proc)
    return code
  }

  /** Runs the binary to its exit (a start that must fail; killed after `timeoutMs` if it does not), with its exit code and output. */
  async function runToExit(args: string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}) {
    const proc = Bun.spawn([binary, ...args], {
      cwd: options.cwd ?? workDir,
      env: options.env ?? {},
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    })
    running.add(proc)
    const timer = setTimeout(() => proc.kill('SIGKILL'), options.timeoutMs ?? 10_000)
    const [exitCode, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()])
    clearTimeout(timer)
    running.delete(proc)
    return { exitCode, stdout, stderr }
  }

  /** Keeps track of a process the test spawned itself, so it is killed if the test fails. */
  const track = (proc: Bun.Subprocess) => void running.add(proc)
  const untrack = (proc: Bun.Subprocess) => void running.delete(proc)

  return { workDir, running, start, stop, runToExit, track, untrack }
}
