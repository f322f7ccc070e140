// What every benchmark report says about its run: the command, when and how long, the machine, the
// versions, and how busy the machine was with other work just before and just after (on a shared machine
// another job's load changes every figure). Each benchmark adds its own tools' versions and settings.
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os'
import { versionOf } from './deps'
import { busyPercent } from './machine'

export interface RunInfo {
  command: string
  date: string
  seconds: number
  cores: number
  cpuModel: string
  memoryGiB: number
  bun: string
  /** The commit dist/fastcache was built from (see build.ts). */
  commit: string
  wrk: string
  loadBefore: number[]
  loadAfter: number[]
  /** % of all CPU time busy over 2 s just before the first and after the last server ran. */
  busyBefore: number
  busyAfter: number
}

export interface RunRecorder {
  /** Samples how busy the machine is once the benchmark's own processes are gone. */
  finish(): Promise<void>
  /**
   * The run's description for `bun run ${script}` with this command line; `tools` are the versions of the
   * benchmark's own tools, listed before wrk's (the report's order).
   */
  info<T extends Record<string, string>>(script: string, commit: string, tools?: T): Promise<RunInfo & T>
}

/** Starts the clock and samples the machine's load before the benchmark starts anything (about 2 s). */
export async function recordRun(log: (message: string) => void): Promise<RunRecorder> {
  const started = performance.now()
  const loadBefore = loadavg()
  const busyBefore = await busyPercent()
  log(`CPU busy before the run (other jobs): ${busyBefore.toFixed(0)}%`)
  let busyAfter = Number.NaN
  return {
    async finish() {
      busyAfter = await busyPercent()
    },
    async info<T extends Record<string, string>>(script: string, commit: string, tools = {} as T): Promise<RunInfo & T> {
      const wrk = await versionOf(['wrk', '-v'])
      return {
        command: [`bun run ${script}`, ...Bun.argv.slice(2)].join(' '),
        date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
        seconds: (performance.now() - started) / 1000,
        cores: availableParallelism(),
        cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 1024 ** 3),
        bun: Bun.version,
        commit,
        ...tools,
        wrk: wrk.replace(/ \[.*/, '').replace(/ Copyright.*/, ''),
        loadBefore,
        loadAfter: loadavg(),
        busyBefore,
        busyAfter,
      }
    },
  }
}
