/**
 * The eviction policy of an earlier commit, loaded beside the current one so a speed run can compare
 * them in the same process (same machine state, rounds interleaved): `git archive` of that commit's
 * policy files into a temporary directory, then a dynamic import.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { EvictionPolicyFactory } from '../../src/cache'
import { cpuMs } from './cpu-time'

const ROOT = resolve(import.meta.dir, '../..')
const FILES = ['src/cache/policies', 'src/cache/grow.ts', 'src/cache/eviction.ts']

/** What the speed run needs of a policy version: its default engine policy and its bare advisor. */
export interface PolicyVersion {
  label: string
  /** The engine's default policy as of that version: W-TinyLFU with its window advisor. */
  policy: EvictionPolicyFactory
  /**
   * Times a fresh advisor for a full cache of `entries` entries of `weight` bytes, fed `hashes[0..count)`
   * `passes` times the way that version's policy calls it on each request; returns the CPU ms taken.
   */
  timeAdvisor(hashes: Int32Array, count: number, passes: number, entries: number, weight: number): number
}

/** The advisor before issue 15: every request goes to `record(hash, weight, entries held)`. */
interface RecordingAdvisor {
  record(hash: number, weight: number, entries: number): unknown
}
/** Since issue 15: the policy asks `sampled(hash)` and passes only sampled requests to `record`. */
interface SamplingAdvisor {
  sampled(hash: number): boolean
  record(hash: number, weight: number, entries: number, totalWeight: number): number
}
type AdvisorClass = new (maxWeight: number) => RecordingAdvisor | SamplingAdvisor

// One loop per advisor API, so each call site only ever sees one class.
function timeRecording(
  advisor: RecordingAdvisor,
  hashes: Int32Array,
  count: number,
  passes: number,
  entries: number,
  weight: number,
): number {
  let advice = 0
  const start = cpuMs()
  for (let pass = 0; pass < passes; pass++) {
    for (let i = 0; i < count; i++) if (advisor.record(hashes[i]!, weight, entries) !== undefined) advice++
  }
  const ms = cpuMs() - start
  // Used, so the loop cannot be optimised away.
  if (advice < 0) throw new Error('unreachable')
  return ms
}

function timeSampling(
  advisor: SamplingAdvisor,
  hashes: Int32Array,
  count: number,
  passes: number,
  entries: number,
  weight: number,
): number {
  let advice = 0
  const start = cpuMs()
  for (let pass = 0; pass < passes; pass++) {
    for (let i = 0; i < count; i++) {
      const hash = hashes[i]!
      if (advisor.sampled(hash) && advisor.record(hash, weight, entries, entries * weight) >= 0) advice++
    }
  }
  const ms = cpuMs() - start
  if (advice < 0) throw new Error('unreachable')
  return ms
}

async function versionFrom(dir: string, label: string): Promise<PolicyVersion> {
  const { WTinyLfuPolicy } = await import(join(dir, 'src/cache/policies/w-tinylfu.ts'))
  const { WindowAdvisor } = (await import(join(dir, 'src/cache/policies/window-advisor.ts'))) as { WindowAdvisor: AdvisorClass }
  return {
    label,
    policy: (context) => new WTinyLfuPolicy(context, { advisor: new WindowAdvisor(context.maxWeight) }),
    timeAdvisor(hashes, count, passes, entries, weight) {
      const advisor = new WindowAdvisor(entries * weight)
      return 'sampled' in advisor
        ? timeSampling(advisor, hashes, count, passes, entries, weight)
        : timeRecording(advisor, hashes, count, passes, entries, weight)
    },
  }
}

/** The policy of the working tree. */
export const currentVersion = (): Promise<PolicyVersion> => versionFrom(ROOT, 'this checkout')

/** The policy as of `commit` (any git revision). */
export async function versionAt(commit: string): Promise<PolicyVersion> {
  const hash = Bun.spawnSync(['git', 'rev-parse', '--short', commit], { cwd: ROOT })
  if (hash.exitCode !== 0) throw new Error(`no commit ${commit}: ${hash.stderr.toString().trim()}`)
  const dir = mkdtempSync(join(tmpdir(), 'fastcache-policy-'))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  const archive = Bun.spawnSync(['git', 'archive', '--format=tar', commit, ...FILES], { cwd: ROOT })
  if (archive.exitCode !== 0) throw new Error(`git archive ${commit} failed: ${archive.stderr.toString().trim()}`)
  const untar = Bun.spawnSync(['tar', '-x', '-C', dir], { stdin: archive.stdout })
  if (untar.exitCode !== 0) throw new Error(`tar failed: ${untar.stderr.toString().trim()}`)
  return versionFrom(dir, `commit ${hash.stdout.toString().trim()}`)
}
