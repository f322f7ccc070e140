/**
 * The eviction policy of an earlier commit, loaded beside the current one so a speed run can compare
 * them in the same process (same machine state, rounds interleaved): `git archive` of that commit's
 * policy files into a temporary directory, then a dynamic import.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { EvictionPolicyFactory } from '../../src/cache'

const ROOT = resolve(import.meta.dir, '../..')
const FILES = ['src/cache/policies', 'src/cache/grow.ts', 'src/cache/eviction.ts']

/** What the speed run needs of a policy version: its default engine policy and its bare advisor. */
export interface PolicyVersion {
  label: string
  /** The engine's default policy as of that version: W-TinyLFU with its window advisor. */
  policy: EvictionPolicyFactory
  /** A fresh advisor for a cache of `maxWeight` bytes; `record` as the policy calls it on each request. */
  advisor(maxWeight: number): { record(hash: number, weight: number, entries: number): unknown }
}

type AdvisorClass = new (maxWeight: number) => { record(hash: number, weight: number, entries: number): unknown }

async function versionFrom(dir: string, label: string): Promise<PolicyVersion> {
  const { WTinyLfuPolicy } = await import(join(dir, 'src/cache/policies/w-tinylfu.ts'))
  const { WindowAdvisor } = (await import(join(dir, 'src/cache/policies/window-advisor.ts'))) as { WindowAdvisor: AdvisorClass }
  return {
    label,
    policy: (context) => new WTinyLfuPolicy(context, { advisor: new WindowAdvisor(context.maxWeight) }),
    advisor: (maxWeight) => new WindowAdvisor(maxWeight),
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
