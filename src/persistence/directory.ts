import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { CacheEngine } from '../cache'
import type { Logger } from '../log/logger'
import type { Files } from './files'
import { loadFile, type Damage } from './loader'
import { temporaryOf } from './snapshot-writer'

// The data directory's files: snapshot.fcs (generation G in its header), journal-N.fcj for N >= G,
// snapshot.fcs.tmp while a snapshot is written, fastcache.lock, and what --recover set aside.

export const SNAPSHOT_FILE = 'snapshot.fcs'
const JOURNAL_FILE = /^journal-(\d+)\.fcj$/
export const journalName = (generation: number) => `journal-${generation}.fcj`

/** The generations of the journals in `dir`, oldest first. */
export function journalGenerations(dir: string): number[] {
  return readdirSync(dir)
    .map((name) => JOURNAL_FILE.exec(name))
    .filter((match) => match !== null)
    .map((match) => Number(match[1]))
    .sort((a, b) => a - b)
}

export interface DirectoryLoaded {
  /** Records loaded, snapshot entries included. */
  records: number
  /** The newest journal: appends continue in it at `validBytes` unless it is damaged. */
  last: { generation: number; validBytes: number; damaged: boolean } | undefined
  /** The snapshot's generation (0 without one). */
  base: number
  /** Files --recover read around damage; they must be replaced before anything is appended. */
  damaged: { path: string; damage: Damage }[]
}

/**
 * Loads the snapshot, then every journal from its generation on, into the engine. Only removes
 * what a crash can leave and nothing needs: an interrupted temporary snapshot and journals older
 * than the snapshot (it holds their records; a crash came before their deletion).
 */
export async function loadDirectory(
  engine: CacheEngine,
  dir: string,
  files: Files,
  recover: boolean,
  logger: Logger,
): Promise<DirectoryLoaded> {
  files.remove(temporaryOf(join(dir, SNAPSHOT_FILE)))
  const loaded: DirectoryLoaded = { records: 0, last: undefined, base: 0, damaged: [] }
  const snapshotPath = join(dir, SNAPSHOT_FILE)
  if (existsSync(snapshotPath)) {
    const snapshot = await loadFile(engine, snapshotPath, 'snapshot', recover, logger)
    loaded.base = Math.max(0, snapshot.generation)
    loaded.records += snapshot.records
    if (snapshot.damage !== null) loaded.damaged.push({ path: snapshotPath, damage: snapshot.damage })
  }
  for (const generation of journalGenerations(dir)) {
    const path = join(dir, journalName(generation))
    if (generation < loaded.base) {
      files.remove(path)
      continue
    }
    const journal = await loadFile(engine, path, 'journal', recover, logger)
    loaded.records += journal.records
    if (journal.damage !== null) loaded.damaged.push({ path, damage: journal.damage })
    loaded.last = { generation, validBytes: journal.validBytes, damaged: journal.damage !== null }
  }
  return loaded
}

/**
 * Keeps each damaged file as it was under a second name, `<name>.damaged-<time>`, before anything
 * replaces it, and logs what was skipped in it.
 */
export function setAside(damaged: DirectoryLoaded['damaged'], dir: string, files: Files, logger: Logger): void {
  const time = new Date().toISOString().replace(/[:.]/g, '-')
  for (const { path, damage } of damaged) {
    const keptAs = keepAside(path, time, files)
    const message = 'recovered a damaged file: the damaged records were skipped, every intact one was loaded'
    logger.warn(message, { file: path, keptAs, ...damage })
  }
  files.syncDirectory(dir)
}

function keepAside(path: string, time: string, files: Files): string {
  // A name taken (by an earlier --recover in the same millisecond) gets a counter.
  for (let attempt = 1; ; attempt++) {
    const keptAs = `${path}.damaged-${time}${attempt === 1 ? '' : `-${attempt}`}`
    try {
      files.link(path, keptAs)
      return keptAs
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
}
