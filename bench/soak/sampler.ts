// Once a second, while the load runs: the server's resident set size (/proc/PID/status) and its own
// account of what it holds (GET /v1/stats). A sample that cannot be taken is kept, with the reason,
// so a stalled or dead server shows up as a gap rather than disappearing from the figures.
import { rssKb } from '../http/procs'
import { machineTicks, processTicks } from './cpu'
import { readStats, type Server, type Stats } from './server'

export interface Sample {
  /** Seconds since the load started. */
  t: number
  rssKb?: number
  /** The server's CPU time so far and the machine's, in clock ticks (see cpu.ts). */
  cpuTicks?: number
  machine?: { total: number; busy: number }
  stats?: Stats
  error?: string
}

export interface Sampler {
  /** Ends the loop after the sample in progress and returns every sample taken. */
  stop(): Promise<Sample[]>
}

/** Starts sampling `server` every `intervalMs`, times relative to `t0` (a performance.now() value). */
export function startSampler(server: Server, t0: number, intervalMs = 1000): Sampler {
  const samples: Sample[] = []
  let stopped = false
  let wake: (() => void) | undefined

  const takeOne = async (): Promise<Sample> => {
    // RSS first: it is instant, and its time is the sample's time; the stats request may queue behind the load.
    const t = (performance.now() - t0) / 1000
    const sample: Sample = { t }
    const problems: string[] = []
    try {
      sample.rssKb = await rssKb(server.child.pid)
      sample.cpuTicks = await processTicks(server.child.pid)
      sample.machine = await machineTicks()
    } catch (error) {
      problems.push(`/proc: ${(error as Error).message}`)
    }
    try {
      sample.stats = await readStats(server.url)
    } catch (error) {
      problems.push(`/v1/stats: ${(error as Error).message}`)
    }
    if (problems.length > 0) sample.error = problems.join('; ')
    return sample
  }

  const loop = async () => {
    let next = performance.now()
    while (!stopped) {
      samples.push(await takeOne())
      // Keep to the one-second grid; a slow sample skips ticks instead of bunching the next ones.
      next += intervalMs
      const now = performance.now()
      while (next <= now) next += intervalMs
      await new Promise<void>((resolve) => {
        wake = resolve
        setTimeout(resolve, next - now)
      })
    }
  }
  const running = loop()

  return {
    stop: async () => {
      stopped = true
      wake?.()
      await running
      return samples
    },
  }
}

/** Peak resident set size (VmHWM) of a process in KiB: the high-water mark between samples too. */
export async function peakRssKb(pid: number): Promise<number | undefined> {
  try {
    const status = await Bun.file(`/proc/${pid}/status`).text()
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1])
    return Number.isFinite(kb) ? kb : undefined
  } catch {
    return undefined
  }
}
