import { dirname } from 'node:path'
import type { CacheEngine } from '../cache'
import type { Files } from './files'
import { BlockWriter } from './entry-block'
import { Op, SNAPSHOT_MAGIC, encodeHeader, encodeRecord } from './format'

export interface SnapshotWritten {
  entries: number
  bytes: number
  /** The longest one encoding step held the event loop. */
  longestStepMs: number
  /** The 99th percentile of the steps' durations. */
  p99StepMs: number
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Where a snapshot of `path` is written before it is renamed over it. */
export const temporaryOf = (path: string) => `${path}.tmp`

/**
 * Writes the whole cache to `path` so that a crash at any moment leaves either the previous
 * snapshot or this complete one: written to `path.tmp` in steps (the event loop runs between
 * them), fsynced, renamed over `path`, and the directory fsynced so the rename itself is durable.
 */
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
      await write(encodeRecord({ op: Op.Expect, entries: engine.stats().items }))
      // One block per step, its entries' bytes copied from the arena into it: the event loop runs between
      // blocks, so an entry changed meanwhile is read as it is then (and is in the new journal too).
      const block = new BlockWriter()
      let cursor: number | null = 0
      while (cursor !== null) {
        const started = performance.now()
        cursor = engine.dump(cursor, block.add)
        if (block.count === 0) break
        entries += block.count
        const chunk = block.finish()
        steps.push(performance.now() - started)
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
