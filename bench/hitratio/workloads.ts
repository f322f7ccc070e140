/** The default run: every trace file of the project's and the shared trace directories, then the synthetic workloads. */
import { existsSync, readdirSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { formatOf, readTraceFile, traceName, type TraceFormat } from './readers'
import { defaultSizes, type CacheSize } from './sizes'
import { flipTrace, loopTrace, phaseTrace, reshuffleTrace, scanTrace, zipfTrace } from './synthetic'
import type { Trace } from './trace'

/** The traces the project carries (the small ones: tests and the default run need nothing else). */
export const PROJECT_TRACE_DIR = resolve(import.meta.dir, '../traces')
/** ../shared/traces beside the checkout, on the team's machines: larger traces, read when present. */
export const SHARED_TRACE_DIR = resolve(import.meta.dir, '../../../shared/traces')
/** The default run's directories: the project's own, then the shared one if there is one. */
export const defaultTraceDirs = (): string[] => [PROJECT_TRACE_DIR, ...(existsSync(SHARED_TRACE_DIR) ? [SHARED_TRACE_DIR] : [])]

/**
 * The workloads split in two for tuning the policy (issue 15): changes are developed on the first
 * half and checked on the held-out half, so the policy cannot be fitted to every trace it is judged
 * on. Fixed before any tuning; each half mixes frequency- and recency-heavy traces, a large trace,
 * loops and phase changes.
 */
export const HALVES = {
  dev: ['lirs-gli', 'lirs-multi2', 'lirs-sprite', 'cache2k-web07', 'scarab-recs', 'zipf-0.99', 'zipf+scan', 'loop', 'phase-change', 'flip'],
  'held-out': [
    'lirs-backf',
    'lirs-loop',
    'cache2k-orm-busy',
    'corda-vaultservice',
    'libcachesim-cloudPhysicsIO',
    'zipf-0.7',
    'zipf-1.2',
    'zipf-reshuffle',
  ],
} as const
export type Half = keyof typeof HALVES

export function halfOf(workload: string): Half | undefined {
  if ((HALVES.dev as readonly string[]).includes(workload)) return 'dev'
  if ((HALVES['held-out'] as readonly string[]).includes(workload)) return 'held-out'
  return undefined
}

export interface Workload {
  name: string
  kind: 'trace' | 'synthetic'
  /** One line for the report: where it comes from or how it is generated. */
  description: string
  load(): Promise<Trace>
  sizes(trace: Trace): CacheSize[]
}

const ROOT = resolve(import.meta.dir, '../..')

export function traceWorkload(path: string, format: TraceFormat, name: string): Workload {
  return {
    name,
    kind: 'trace',
    description: `\`${relative(ROOT, path)}\` (${format})`,
    load: () => readTraceFile(path, format),
    sizes: (trace) => defaultSizes(trace),
  }
}

/**
 * Trace files in `dirs` whose format the name tells (README and licence files are skipped), by name;
 * a trace in more than one directory is taken from the first.
 */
export function traceWorkloads(dirs: string[]): Workload[] {
  const byName = new Map<string, Workload>()
  for (const dir of dirs) {
    for (const file of readdirSync(dir)) {
      const format = formatOf(file)
      const name = traceName(file)
      if (format && !byName.has(name)) byName.set(name, traceWorkload(join(dir, file), format, name))
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name))
}

const synthetic = (name: string, description: string, make: () => Trace, extra: number[] = []): Workload => ({
  name,
  kind: 'synthetic',
  description,
  load: async () => make(),
  sizes: (trace) => defaultSizes(trace, extra),
})

/** Seeds are fixed, so every run replays the same requests. */
export function syntheticWorkloads(): Workload[] {
  return [
    synthetic('zipf-0.7', 'Zipf α=0.7, 100,000 scrambled keys, 300,000 requests, seed 7', () => zipfTrace(0.7, 100_000, 300_000, 7)),
    synthetic('zipf-0.99', 'Zipf α=0.99, 100,000 scrambled keys, 300,000 requests, seed 99', () => zipfTrace(0.99, 100_000, 300_000, 99)),
    synthetic('zipf-1.2', 'Zipf α=1.2, 100,000 scrambled keys, 300,000 requests, seed 12', () => zipfTrace(1.2, 100_000, 300_000, 12)),
    synthetic(
      'zipf+scan',
      'Zipf α=0.99 over 100,000 keys in 5 runs of 60,000 requests, with a sequential scan of the same 25,000 other keys between runs (longer than every cache size tried), seed 4242',
      () => scanTrace(100_000, 60_000, 5, 25_000, 4242),
    ),
    // Sizes of 90% and 95% of the loop: the loop is slightly larger than the cache.
    synthetic(
      'loop',
      'the same 5,000 keys in order, 60 times (300,000 requests); also at 4,500 and 4,750 entries',
      () => loopTrace(5_000, 300_000),
      [4_500, 4_750],
    ),
    synthetic(
      'phase-change',
      'Zipf α=0.99 over 50,000 keys (A) for 100,000 requests, then over 50,000 other keys (B), then A again, seed 33',
      () => phaseTrace(50_000, 100_000, 33),
    ),
    synthetic(
      'flip',
      'eight phases of 40,000 requests, alternating Zipf α=0.9 over a catalogue of 20,000 keys with requests drawn by LRU stack ' +
        'depth (Zipf α=0.9 over depths up to 80,000; deeper than the keys seen is a new key), seed 8',
      () => flipTrace(20_000, 40_000, 8, 8),
    ),
    synthetic(
      'zipf-reshuffle',
      'Zipf α=0.9 over 50,000 keys whose popularity order is drawn anew every 30,000 requests, 10 phases, seed 11',
      () => reshuffleTrace(50_000, 30_000, 10, 11),
    ),
  ]
}
