import { open, type FileHandle } from 'node:fs/promises'

/** Bytes read at a time: a snapshot can be as large as the cache, and loading it must not hold a second copy. */
const CHUNK_BYTES = 4 * 1024 * 1024

/**
 * A file read front to back in chunks instead of whole: `bytes` holds file offsets `start` to
 * `start + bytes.byteLength`. It holds about one chunk, or one record when a record is larger.
 * Reads run on libuv's thread pool, so the event loop goes on while they do.
 */
export class FileWindow {
  /** Always the start of `buffer`. */
  bytes = new Uint8Array(0)
  start = 0
  private buffer = new Uint8Array(0)

  private constructor(
    private readonly handle: FileHandle,
    /** The file's length when it was opened (nothing appends to it while it is loaded). */
    readonly size: number,
  ) {}

  static async open(path: string): Promise<FileWindow> {
    const handle = await open(path, 'r')
    try {
      return new FileWindow(handle, (await handle.stat()).size)
    } catch (error) {
      await handle.close()
      throw error
    }
  }

  /**
   * Makes file offsets `offset` to `offset + length` readable in `bytes` (cut at the file's end).
   * Offsets only move forward: what lies before `offset` may be dropped.
   */
  async ensure(offset: number, length: number): Promise<void> {
    if (this.holds(offset, length)) return
    const end = Math.min(this.size, offset + length)
    const held = this.start + this.bytes.byteLength
    const kept = offset >= this.start && offset < held ? held - offset : 0
    const want = Math.max(end - offset, Math.min(CHUNK_BYTES, this.size - offset))
    if (this.buffer.byteLength < want) {
      const buffer = new Uint8Array(Math.max(want, CHUNK_BYTES))
      if (kept > 0) buffer.set(this.bytes.subarray(offset - this.start))
      this.buffer = buffer
    } else if (kept > 0) this.buffer.copyWithin(0, offset - this.start, held - this.start)
    let filled = kept
    while (filled < want) {
      const { bytesRead } = await this.handle.read(this.buffer, filled, want - filled, offset + filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    this.start = offset
    this.bytes = this.buffer.subarray(0, filled)
  }

  /** Whether file offsets `offset` to `offset + length` (cut at the file's end) are in `bytes` already. */
  holds(offset: number, length: number): boolean {
    return offset >= this.start && Math.min(this.size, offset + length) <= this.start + this.bytes.byteLength
  }

  close(): Promise<void> {
    return this.handle.close()
  }
}
