// Every child process the benchmark starts goes through here, so one place can stop them all:
// in finally blocks, on SIGINT/SIGTERM, and on an uncaught error. Nothing is killed by name.
import type { Subprocess } from 'bun'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export type Child = Subprocess<'ignore' | 'pipe', 'ignore' | 'pipe', 'ignore' | 'pipe'>

const live = new Set<Child>()

export interface SpawnOptions {
  cwd?: string
  env?: Record<string, string | undefined>
  /** Keep stderr for error messages (default: ignored, so a chatty server cannot block on a full pipe). */
  stderr?: 'ignore' | 'pipe' | 'inherit'
  stdout?: 'ignore' | 'pipe' | 'inherit'
  stdin?: 'ignore' | 'pipe'
}

/** Starts a tracked child. It stays tracked until `stop` (or its own exit) removes it. */
export function start(cmd: string[], options: SpawnOptions = {}): Child {
  const child = Bun.spawn(cmd, {
    cwd: options.cwd,
    env: options.env,
    stdin: options.stdin ?? 'ignore',
    stdout: options.stdout ?? 'ignore',
    stderr: options.stderr ?? 'ignore',
  }) as Child
  live.add(child)
  void child.exited.then(() => live.delete(child))
  return child
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child is gone. */
export async function stop(child: Child, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await child.exited
  clearTimeout(timer)
  live.delete(child)
}

/** Stops every tracked child (each by its own pid). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((child) => stop(child, 1000)))
}

const scratch = new Set<string>()

/** A temporary directory (configs, logs) that is removed by `removeScratch` or, at the latest, at exit. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  scratch.add(dir)
  return dir
}

export function removeScratch(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
  scratch.delete(dir)
}

/** Synchronous last resort for exit paths where awaiting is not possible. */
function cleanUpNow(): void {
  for (const child of live) child.kill('SIGKILL')
  for (const dir of scratch) removeScratch(dir)
}

let installed = false
let stopping = false
/**
 * On SIGINT/SIGTERM: stop the children, then exit with the conventional 128+signal status. `label` is the
 * benchmark's name (`bench:proxy`, …), which starts the message, since several benchmarks share this module.
 */
export function installSignalHandlers(label: string): void {
  if (installed) return
  installed = true
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      // `bun run` forwards the signal that the process group already got: act once.
      if (stopping) return
      stopping = true
      process.stderr.write(`\n${label}: ${signal}, stopping ${live.size} child process(es)\n`)
      void stopAll().finally(() => process.exit(code))
    })
  }
  process.on('exit', cleanUpNow)
}

/** Runs a command to completion (tracked while it runs); throws with its stderr if it fails. */
export async function run(cmd: string[], options: SpawnOptions = {}): Promise<string> {
  const child = start(cmd, { ...options, stdout: 'pipe', stderr: options.stderr ?? 'pipe' })
  const [out, err, code] = await Promise.all([
    new Response(child.stdout as ReadableStream<Uint8Array>).text(),
    child.stderr instanceof ReadableStream ? new Response(child.stderr).text() : Promise.resolve(''),
    child.exited,
  ])
  if (code !== 0) throw new Error(`${cmd.join(' ')} exited ${code}: ${err.trim() || out.trim()}`)
  return out
}

/** Resident set size of a process in KiB, from /proc/PID/status. */
export async function rssKb(pid: number): Promise<number> {
  const status = await Bun.file(`/proc/${pid}/status`).text()
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1])
  if (!Number.isFinite(kb)) throw new Error(`no VmRSS for pid ${pid}`)
  return kb
}

/** A free loopback port, found by letting the kernel pick one (as bench/startup.ts does). */
export function freePort(): number {
  const probe = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
  const port = probe.port!
  probe.stop(true)
  return port
}

/** Polls until `probe` resolves true, the child dies, or `timeoutMs` passes. */
export async function waitUntil(what: string, child: Child, probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${what} exited early (${child.exitCode ?? child.signalCode})`)
    try {
      if (await probe()) return
    } catch {
      // Not listening yet.
    }
    await Bun.sleep(20)
  }
  throw new Error(`${what} not ready within ${timeoutMs} ms`)
}

/** True once `url` answers with `status`. */
export const answers =
  (url: string, status = 200) =>
  async () =>
    (await fetch(url)).status === status
