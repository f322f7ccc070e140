import { afterAll, beforeAll } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

// The compiled binary for end-to-end tests. FASTCACHE_BIN names a prebuilt binary (CI); otherwise
// the first test file that needs it builds one with the project's own build script.

export const root = resolve(import.meta.dir, '../..')
export const binary = process.env.FASTCACHE_BIN ? resolve(process.env.FASTCACHE_BIN) : join(root, 'dist/fastcache')

export interface Server {
  proc: Bun.Subprocess<'ignore', 'pipe', 'pipe'>
  url: string
  port: number
  startLog: Record<string, unknown>
}

let built: Promise<void> | undefined

/** Builds dist/fastcache once per test process unless FASTCACHE_BIN names one. */
export function ensureBinary(): Promise<void> {
  if (process.env.FASTCACHE_BIN) return Promise.resolve()
  built ??= (async () => {
    const build = Bun.spawn(['bun', 'run', 'build'], { cwd: root, stdout: 'ignore', stderr: 'pipe' })
    if ((await build.exited) !== 0) throw new Error(`build failed: ${await new Response(build.stderr).text()}`)
  })()
  return built
}

/**
 * Hooks for an e2e test file: builds the binary before the tests, and kills every process still
 * running and removes the work directory after them. Returns the directory and the start/stop helpers.
 */
export function binaryHarness() {
  const running = new Set<Bun.Subprocess>()
  const workDir = mkdtempSync(join(tmpdir(), 'fastcache-e2e-'))
  beforeAll(() => ensureBinary(), 120_000)
  afterAll(() => {
    for (const proc of running) proc.kill('SIGKILL')
    rmSync(workDir, { recursive: true, force: true })
  })

  /** Starts the binary on a free port (--port 0) and reads the address from its start log line. */
  async function start(args: string[] = [], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Server> {
    const proc = Bun.spawn([binary, '--port', '0', ...args], {
      cwd: options.cwd ?? workDir,
      env: options.env ?? (process.env as Record<string, string>),
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    })
    running.add(proc)
    const reader = proc.stderr.getReader()
    let buffered = ''
    const deadline = Date.now() + 10_000
    // Lines before it (loading persisted data) are skipped; the start line carries the address.
    let startLine: string | undefined
    while (startLine === undefined) {
      if (Date.now() > deadline) throw new Error('the server did not log its start in time')
      const { value, done } = await reader.read()
      if (done) throw new Error(`the server exited before starting: ${buffered}`)
      buffered += new TextDecoder().decode(value)
      startLine = buffered.split('\n').find((line) => line.includes('"fastcache started"'))
    }
    reader.releaseLock()
    const startLog = JSON.parse(startLine) as Record<string, unknown>
    const url = String(startLog.address)
    return { proc, url, port: Number(new URL(url).port), startLog }
  }

  async function stop(server: Server, signal: NodeJS.Signals = 'SIGTERM'): Promise<number> {
    server.proc.kill(signal)
    const code = await server.proc.exited
    running.delete(server.proc)
    return code
  }

  return { workDir, start, stop, running }
}
