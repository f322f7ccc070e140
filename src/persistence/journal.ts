import type { FileHandle } from 'node:fs/promises'
import type { Files } from './files'
import { JOURNAL_MAGIC, encodeHeader } from './format'

export type FsyncPolicy = 'always' | 'everysec' | 'no'

const WRITE_CHUNK_BYTES = 1024 * 1024

/**
 * The append-only log of changes since the last snapshot. Records are buffered in memory and
 * written in batches on libuv's thread pool, so no write or fsync ever blocks the event loop.
 * `sync()` is a group commit: every record appended before it is on disk (and fsynced) when it
 * resolves, and concurrent callers share one write and one fsync.
 */
export class Journal {
  private buffered: Uint8Array[] = []
  private bufferedBytes = 0
  private queued: Promise<void> | null = null
  private running: Promise<void> = Promise.resolve()
  /** Bytes in the file, header included; the next write goes here. */
  private size: number

  private constructor(
    private handle: FileHandle,
    size: number,
    readonly path: string,
  ) {
    this.size = size
  }

  /** Opens a journal for appending at `validBytes` (what loading found intact), creating it with a header when new. */
  static async open(files: Files, path: string, generation: number, validBytes: number | undefined): Promise<Journal> {
    const handle = await files.open(path, validBytes === undefined ? 'w' : 'r+')
    if (validBytes === undefined) {
      const header = encodeHeader(JOURNAL_MAGIC, generation)
      await handle.write(header, 0, header.byteLength, 0)
      await handle.datasync()
      return new Journal(handle, header.byteLength, path)
    }
    // A torn or damaged tail is cut off, so the next record follows the last good one.
    await handle.truncate(validBytes)
    return new Journal(handle, validBytes, path)
  }

  append(record: Uint8Array): void {
    this.buffered.push(record)
    this.bufferedBytes += record.byteLength
  }

  get pendingBytes(): number {
    return this.bufferedBytes
  }

  /** Writes everything appended so far; with `fsync`, also forces it to disk. */
  sync(fsync = true): Promise<void> {
    if (this.queued !== null) return this.queued
    const next = this.running.then(() => {
      this.queued = null
      return this.writeOut(fsync)
    })
    this.queued = next
    this.running = next.catch(() => {})
    return next
  }

  private async writeOut(fsync: boolean): Promise<void> {
    if (this.bufferedBytes === 0) return
    const records = this.buffered
    this.buffered = []
    this.bufferedBytes = 0
    // Copied and written a bounded chunk at a time, so a large backlog never holds the event loop long.
    for (let next = 0; next < records.length; ) {
      let bytes = 0
      let end = next
      while (end < records.length && (bytes === 0 || bytes + records[end]!.byteLength <= WRITE_CHUNK_BYTES)) bytes += records[end++]!.byteLength
      const chunk = new Uint8Array(bytes)
      for (let at = next, offset = 0; at < end; offset += records[at]!.byteLength, at++) chunk.set(records[at]!, offset)
      try {
        let written = 0
        while (written < bytes) written += (await this.handle.write(chunk, written, bytes - written, this.size + written)).bytesWritten
      } catch (error) {
        // Nothing is lost: the unwritten records go back in front of what came since, and the next
        // write starts where this one did (positional writes overwrite any partial bytes).
        this.buffered = records.slice(next).concat(this.buffered)
        this.bufferedBytes = this.buffered.reduce((sum, record) => sum + record.byteLength, 0)
        throw error
      }
      this.size += bytes
      next = end
    }
    if (fsync) await this.handle.datasync()
  }

  /** Writes and fsyncs what is buffered, then closes the file. */
  async close(): Promise<void> {
    await this.sync(true)
    await this.handle.close()
  }
}
