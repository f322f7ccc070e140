import { afterAll, beforeAll } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

// Drives the compiled binary over a real socket. FASTCACHE_BIN names a prebuilt binary (CI);
// otherwise it is built once per test run with the project's own build script.
export const root = resolve(import.meta.dir, '../..')
export const binary = process.env.FASTCACHE_BIN ? resolve(process.env.FASTCACHE_BIN) : join(root, 'dist/fastcache')
const running = new Set<Bun.Subprocess>()
let built: Promise<void> | undefined

export interface Server {
  proc: Bun.Subprocess<'ignore', 'pipe', 'pipe'>
  url: string
  port: number
  startLog: Record<string, unknown>
  /** Every line logged before the start line (loading persisted data, warnings). */
  earlierLines: string[]
}

/**
 * Call at the top of an end-to-end test file: builds the binary when needed, and gives a working
 * directory that is removed, with every process still running killed, after the file's tests.
 */
export function useBinary(): { workDir: string } {
  const workDir = mkdtempSync(join(tmpdir(), 'fastcache-e2e-'))
  beforeAll(async () => {
    if (process.env.FASTCACHE_BIN) return
    built ??= (async () => {
      const build = Bun.spawn(['bun', 'run', 'build'], { cwd: root, stdout: 'ignore', stderr: 'pipe' })
      if ((await build.exited) !== 0) throw new Error(`build failed: ${await new Response(build.stderr).text()}`)
    })()
    await built
  }, 120_000)
  afterAll(() => {
    for (const proc of running) proc.kill('SIGKILL')
    running.clear()
    rmSync(workDir, { recursive: true, force: true })
  })
  return { workDir }
}

/**
 * Starts the binary on a free port (--port 0) and reads the address from its start log line.
 * `launcher`: a command that runs the binary given as its arguments (to set limits, say).
 */
export async function start(args: string[] = [], cwd = tmpdir(), launcher: string[] = []): Promise<Server> {
  const proc = Bun.spawn([...launcher, binary, '--port', '0', ...args], { cwd, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  running.add(proc)
  const reader = proc.stderr.getReader()
  let buffered = ''
  const deadline = Date.now() + 10_000
  // Lines before it (loading persisted data) are kept; the start line carries the address.
  let startLine: string | undefined
  while (startLine === undefined) {
    if (Date.now() > deadline) throw new Error('the server did not log its start in time')
    const { value, done } = await reader.read()
    if (done) throw new Error(`the server exited before starting: ${buffered}`)
    buffered += new TextDecoder().decode(value)
    startLine = buffered.split('\n').find((line) => line.includes('"fastcache started"'))
  }
  reader.releaseLock()
  const lines = buffered.split('\n')
  const startLog = JSON.parse(startLine) as Record<string, unknown>
  const url = String(startLog.address)
  return { proc, url, port: Number(new URL(url).port), startLog, earlierLines: lines.slice(0, lines.indexOf(startLine)) }
}

/** Sends `signal` (SIGTERM: a clean stop) and returns the exit code. */
export async function stop(server: Server, signal: NodeJS.Signals = 'SIGTERM'): Promise<number> {
  server.proc.kill(signal)
  const code = await server.proc.exited
  running.delete(server.proc)
  return code
}

/** Runs the binary to its exit (a start that must fail; killed after `timeoutMs` if it does not), with its exit code and output. */
export async function runToExit(args: string[], cwd = tmpdir(), timeoutMs = 10_000) {
  const proc = Bun.spawn([binary, ...args], { cwd, env: {}, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  running.add(proc)
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs)
  const [exitCode, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()])
  clearTimeout(timer)
  running.delete(proc)
  return { exitCode, stdout, stderr }
}

/** Keeps track of a process the test spawned itself, so it is killed if the test fails. */
export function track(proc: Bun.Subprocess): void {
  running.add(proc)
}

export function untrack(proc: Bun.Subprocess): void {
  running.delete(proc)
}
