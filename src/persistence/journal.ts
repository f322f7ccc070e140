import type { FileHandle } from 'node:fs/promises'
import { JOURNAL_MAGIC, encodeHeader } from './format'
import type { Files } from './files'

export type FsyncPolicy = 'always' | 'everysec' | 'no'

const WRITE_CHUNK_BYTES = 1024 * 1024

/**
 * The append-only log of changes since the last snapshot. Records are buffered in memory and
 * written in batches on libuv's thread pool, so no write or fsync ever blocks the event loop.
 * `sync()` is a group commit: every record appended before it is on disk (and fsynced) when it
 * resolves, and concurrent callers share one write and one fsync. A failed write loses nothing:
 * the records are written again by the next sync, so a disk that fills up and empties again
 * needs no restart.
 */
export class Journal {
  private buffered: Uint8Array[] = []
  private bufferedBytes = 0
  private queued: Promise<void> | null = null
  private running: Promise<void> = Promise.resolve()
  private closing: Promise<void> | null = null
  /** Bytes in the file, header included; the next write goes here. */
  private size: number

  private constructor(
    private handle: FileHandle,
    size: number,
    readonly path: string,
  ) {
    this.size = size
  }

  /**
   * Opens a journal for appending at `validBytes` (what loading found intact), or creates it with a
   * header when `validBytes` is undefined. A journal it fails to create is removed again.
   */
  static async open(files: Files, path: string, generation: number, validBytes: number | undefined): Promise<Journal> {
    const handle = await files.open(path, validBytes === undefined ? 'w' : 'r+')
    try {
      if (validBytes === undefined) {
        const header = encodeHeader(JOURNAL_MAGIC, generation)
        await handle.write(header, 0, header.byteLength, 0)
        await handle.datasync()
        return new Journal(handle, header.byteLength, path)
      }
      // A torn or damaged tail is cut off, so the next record follows the last good one.
      await handle.truncate(validBytes)
      return new Journal(handle, validBytes, path)
    } catch (error) {
      await handle.close().catch(() => {})
      if (validBytes === undefined) files.remove(path)
      throw error
    }
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
    const recordBytes = this.bufferedBytes
    this.buffered = []
    this.bufferedBytes = 0
    let end = this.size
    try {
      // Copied and written a bounded chunk at a time, so a large backlog never holds the event loop long.
      for (let next = 0; next < records.length; ) {
        let bytes = 0
        let last = next
        while (last < records.length && (bytes === 0 || bytes + records[last]!.byteLength <= WRITE_CHUNK_BYTES)) {
          bytes += records[last++]!.byteLength
        }
        const chunk = new Uint8Array(bytes)
        for (let at = next, offset = 0; at < last; offset += records[at]!.byteLength, at++) chunk.set(records[at]!, offset)
        let written = 0
        while (written < bytes) written += (await this.handle.write(chunk, written, bytes - written, end + written)).bytesWritten
        end += bytes
        next = last
      }
      if (fsync) await this.handle.datasync()
    } catch (error) {
      // Every record of this call goes back in front of what came since, and the next write starts
      // where this one did (positional writes overwrite any partial bytes). After a failed fsync
      // too: the kernel may have dropped the pages it could not write, so they are written again.
      this.buffered = records.concat(this.buffered)
      this.bufferedBytes += recordBytes
      throw error
    }
    this.size = end
  }

  /**
   * Writes and fsyncs what is buffered, then closes the file. After a failure it can be called
   * again (the records are still buffered); concurrent calls share one closing.
   */
  close(): Promise<void> {
    this.closing ??= this.sync(true).then(
      () => this.handle.close(),
      (error: unknown) => {
        this.closing = null
        throw error
      },
    )
    return this.closing
  }
}
