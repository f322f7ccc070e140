import { dirname } from 'node:path'
import type { CacheEngine } from '../cache'
import type { Files } from './files'
import { Op, SNAPSHOT_MAGIC, encodeHeader, encodeRecord, sizeRecord, writeRecord } from './format'

/** Entries encoded per step; one step is the longest the event loop waits on a snapshot (~1 ms). */
const ENTRIES_PER_STEP = 1000

export interface SnapshotWritten {
  entries: number
  bytes: number
  /** The longest one encoding step held the event loop. */
  longestStepMs: number
  /** The 99th percentile of the steps' durations. */
  p99StepMs: number
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Writes the whole cache to `path` so that a crash at any moment leaves either the previous
 * snapshot or this complete one: written to `path.tmp` in steps (the event loop runs between
 * them), fsynced, renamed over `path`, and the directory fsynced so the rename itself is durable.
 */
/** Where a snapshot of `path` is written before it is renamed over it. */
export const temporaryOf = (path: string) => `${path}.tmp`

export async function writeSnapshot(files: Files, engine: CacheEngine, path: string, generation: number): Promise<SnapshotWritten> {
  const temporary = temporaryOf(path)
  let bytes = 0
  let entries = 0
  const steps: number[] = []
  try {
    const handle = await files.open(temporary, 'w')
    const write = async (chunk: Uint8Array) => {
      let written = 0
      while (written < chunk.byteLength) {
        written += (await handle.write(chunk, written, chunk.byteLength - written, bytes + written)).bytesWritten
      }
      bytes += chunk.byteLength
    }
    try {
      await write(encodeHeader(SNAPSHOT_MAGIC, generation))
      let cursor: number | null = 0
      while (cursor !== null) {
        const started = performance.now()
        const page = engine.entries(cursor, ENTRIES_PER_STEP)
        // One buffer per step, records written straight into it: no object per record to collect later.
        const records = page.entries.map((entry) => sizeRecord({ op: Op.Set, entry }))
        const chunk = new Uint8Array(records.reduce((sum, record) => sum + record.bytes, 0))
        let at = 0
        for (const record of records) {
          writeRecord(record, chunk, at)
          at += record.bytes
        }
        steps.push(performance.now() - started)
        entries += records.length
        cursor = page.next
        await write(chunk)
        await nextTurn()
      }
      await write(encodeRecord({ op: Op.End, count: entries, lastVersion: engine.currentVersion }))
      await handle.datasync()
    } finally {
      await handle.close()
    }
    await files.rename(temporary, path)
  } catch (error) {
    // Removed at once: on a full disk, its bytes are the room the journal needs.
    files.remove(temporary)
    throw error
  }
  files.syncDirectory(dirname(path))
  steps.sort((a, b) => a - b)
  return { entries, bytes, longestStepMs: steps.at(-1) ?? 0, p99StepMs: steps[Math.floor(steps.length * 0.99)] ?? 0 }
}
