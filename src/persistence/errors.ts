/** A data directory that cannot be used as it is: the start stops with this one-line message (exit 1). */
export class PersistenceError extends Error {}

/** Codes of a write refused for want of room: the device is full, a quota or the file-size limit is reached. */
const NO_SPACE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EFBIG'])

/** A snapshot that could not be written. Whatever it had started is undone; the previous snapshot still stands. */
export class SnapshotError extends Error {
  /** The disk (or a quota) is full, rather than some other failure. */
  readonly noSpace: boolean

  constructor(cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code
    super(`the snapshot was not written: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
    this.noSpace = code !== undefined && NO_SPACE_CODES.has(code)
  }
}
