import { statSync } from 'node:fs'
import { join } from 'node:path'
import { SNAPSHOT_FILE, journalGenerations, journalName } from '../../persistence/directory'

export interface PersistenceFiles {
  /** The snapshot on disk: when it was written and its size; null before the first one. */
  snapshot: { at: number; bytes: number } | null
  /** Bytes in the journals (the changes since that snapshot), as written so far. */
  journalBytes: number
  journals: number
}

const sizeAndTime = (path: string) => {
  try {
    const stat = statSync(path)
    return { at: stat.mtimeMs, bytes: stat.size }
  } catch {
    return null
  }
}

/** What the data directory holds now, read from the files themselves (a few stat calls). */
export function persistenceFiles(dir: string): PersistenceFiles {
  let generations: number[] = []
  try {
    generations = journalGenerations(dir)
  } catch {
    // Not created yet (the server listens before it loads the directory).
  }
  const journalBytes = generations.reduce((sum, generation) => sum + (sizeAndTime(join(dir, journalName(generation)))?.bytes ?? 0), 0)
  const snapshot = sizeAndTime(join(dir, SNAPSHOT_FILE))
  return {
    snapshot: snapshot === null ? null : { at: Math.round(snapshot.at), bytes: snapshot.bytes },
    journalBytes,
    journals: generations.length,
  }
}
