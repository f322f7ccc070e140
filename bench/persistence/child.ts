// One measurement of bench/persistence.ts in a process of its own, against the source tree it is
// given (this checkout's src/, or the baseline's), printed as one line of JSON.
//   write: fill an engine with keys (logged to the journal), take a snapshot, stop.
//   load:  start persistence on a data directory (what a restart does), then leave without writing.
import { join } from 'node:path'

export interface WriteJob {
  kind: 'write'
  src: string
  dir: string
  keys: number
  valueBytes: number
}
export interface LoadJob {
  kind: 'load'
  src: string
  dir: string
}
export type Job = WriteJob | LoadJob

export interface Written {
  fillMs: number
  snapshotMs: number
  p99StepMs: number
  longestStepMs: number
  snapshotGaps: Gaps
  idleGaps: Gaps
}
export interface Loaded {
  wallMs: number
  cpuMs: number
  items: number
  /** Peak RSS of the process (it held nothing before the load). */
  maxRssMiB: number
  /** The event loop during the load: how long a request (/health) could have waited. */
  gaps: Gaps
}
export interface Gaps {
  p99: number
  longest: number
}

const MAX_BYTES = 4 * 1024 ** 3

/** Samples the event loop every millisecond and keeps the gaps between samples. */
function lagMonitor() {
  let last = performance.now()
  const gaps: number[] = []
  const timer = setInterval(() => {
    const now = performance.now()
    gaps.push(now - last)
    last = now
  }, 1)
  return {
    stop: (): Gaps => {
      clearInterval(timer)
      gaps.sort((a, b) => a - b)
      return { longest: gaps.at(-1) ?? 0, p99: gaps[Math.floor(gaps.length * 0.99)] ?? 0 }
    },
  }
}

async function modules(src: string) {
  const { CacheEngine } = await import(join(src, 'cache/index.ts'))
  const { Persistence } = await import(join(src, 'persistence/index.ts'))
  const { silentLogger } = await import(join(src, 'log/logger.ts'))
  return { CacheEngine, Persistence, silentLogger }
}

async function write(job: WriteJob): Promise<Written> {
  const { CacheEngine, Persistence, silentLogger } = await modules(job.src)
  const options = { dir: job.dir, fsync: 'everysec', snapshotIntervalMs: 0, recover: false }
  const engine = new CacheEngine({ maxBytes: MAX_BYTES, sweepIntervalMs: 0 })
  const persistence = await Persistence.start(engine, options, silentLogger)
  const value = new Uint8Array(job.valueBytes).fill(120)
  const filling = performance.now()
  for (let i = 0; i < job.keys; i++) engine.set(`key:${i}`, value, 'application/octet-stream')
  await persistence.durable()
  const fillMs = performance.now() - filling
  // The same monitor with nothing running, for reference: timer and scheduler noise on this machine.
  const idle = lagMonitor()
  await Bun.sleep(1000)
  const idleGaps = idle.stop()
  const monitor = lagMonitor()
  const snapshot = await persistence.snapshot()
  const snapshotGaps = monitor.stop()
  // The stop takes a last snapshot: the directory then holds it and an empty journal.
  await persistence.close()
  return {
    fillMs,
    snapshotMs: snapshot.durationMs,
    p99StepMs: snapshot.p99StepMs,
    longestStepMs: snapshot.longestStepMs,
    snapshotGaps,
    idleGaps,
  }
}

async function load(job: LoadJob): Promise<Loaded> {
  const { CacheEngine, Persistence, silentLogger } = await modules(job.src)
  const options = { dir: job.dir, fsync: 'everysec', snapshotIntervalMs: 0, recover: false }
  const monitor = lagMonitor()
  const cpu = process.cpuUsage()
  const started = performance.now()
  const engine = new CacheEngine({ maxBytes: MAX_BYTES, sweepIntervalMs: 0 })
  const persistence = await Persistence.start(engine, options, silentLogger)
  const wallMs = performance.now() - started
  const used = process.cpuUsage(cpu)
  const gaps = monitor.stop()
  const items = engine.stats().items
  // Leaves as a crash would: nothing is written, so every run loads the same files.
  persistence.abandon()
  return { wallMs, cpuMs: (used.user + used.system) / 1000, items, maxRssMiB: process.resourceUsage().maxRSS / 1024, gaps }
}

const job = JSON.parse(process.argv[2]!) as Job
const result = job.kind === 'write' ? await write(job) : await load(job)
process.stdout.write(`${JSON.stringify(result)}\n`)
process.exit(0)
