import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { CacheEngine, Entry, MutationListener } from '../cache'
import type { Logger } from '../log/logger'
import { DirectoryLock } from './dir-lock'
import { SNAPSHOT_FILE, journalGenerations, journalName, loadDirectory, setAside } from './directory'
import { SnapshotError } from './errors'
import { diskFiles, type Files } from './files'
import { Op, encodeRecord } from './format'
import { Journal, type FsyncPolicy } from './journal'
import { writeSnapshot, type SnapshotWritten } from './snapshot-writer'

export interface PersistenceOptions {
  dir: string
  fsync: FsyncPolicy
  /** How often a snapshot is taken when anything changed; 0 for never (only on demand and at stop). */
  snapshotIntervalMs: number
  recover: boolean
}

export interface SnapshotResult extends SnapshotWritten {
  generation: number
  durationMs: number
}

/** How often everysec and no write the journal out (everysec also fsyncs). */
const WRITE_INTERVAL_MS = 1000

/**
 * Keeps the cache on disk: a snapshot of everything plus a journal of every change since. A
 * snapshot of generation G holds everything logged before journal G; on start the snapshot loads,
 * then journals G, G+1, ... replay in order. Taking a snapshot starts journal G+1 first, so changes
 * made while it is written land there (replaying them over it is harmless: records are absolute).
 * The directory is locked for as long as this runs (see dir-lock.ts).
 */
export class Persistence implements MutationListener {
  private snapshotting: Promise<SnapshotResult> | null = null
  /** The journal a snapshot switched away from, until it is closed (its last records written and fsynced). */
  private previous: Journal | null = null
  private changedSinceSnapshot = false
  private readonly timers: ReturnType<typeof setInterval>[] = []

  private constructor(
    private readonly engine: CacheEngine,
    private readonly options: PersistenceOptions,
    private readonly logger: Logger,
    private journal: Journal,
    private generation: number,
    private readonly files: Files,
    private readonly lock: DirectoryLock,
  ) {}

  /** Creates the directory if needed and takes its lock (or throws, naming the instance holding it). */
  static lock(dir: string): DirectoryLock {
    mkdirSync(dir, { recursive: true })
    return DirectoryLock.acquire(dir)
  }

  /**
   * Loads what the directory holds into the engine, then logs every change to it. The lock is taken
   * here unless given (the server takes it before it listens, and loads after).
   */
  static async start(
    engine: CacheEngine,
    options: PersistenceOptions,
    logger: Logger,
    files: Files = diskFiles,
    lock: DirectoryLock = Persistence.lock(options.dir),
  ): Promise<Persistence> {
    try {
      return await Persistence.load(engine, options, logger, files, lock)
    } catch (error) {
      lock.release()
      throw error
    }
  }

  private static async load(
    engine: CacheEngine,
    options: PersistenceOptions,
    logger: Logger,
    files: Files,
    lock: DirectoryLock,
  ): Promise<Persistence> {
    const { dir } = options
    const started = performance.now()
    const loaded = await loadDirectory(engine, dir, files, options.recover, logger)
    const { last, damaged } = loaded
    // Appends continue in the newest journal after its last intact record, unless --recover read
    // around damage somewhere: then a new journal starts and a snapshot replaces every damaged file.
    const resume = damaged.length === 0 && last !== undefined && last.validBytes > 0
    const newest = last?.generation ?? Math.max(loaded.base, 1)
    const generation = damaged.length > 0 ? Math.max(loaded.base, newest) + 1 : newest
    if (damaged.length > 0) setAside(damaged, dir, files, logger)
    const journal = await Journal.open(files, join(dir, journalName(generation)), generation, resume ? last.validBytes : undefined)
    files.syncDirectory(dir)
    const persistence = new Persistence(engine, options, logger, journal, generation, files, lock)
    if (damaged.length > 0) {
      try {
        await persistence.snapshot()
      } catch (error) {
        await persistence.closeJournals().catch(() => {})
        throw error
      }
    }
    const skippedRecords = damaged.reduce((sum, { damage }) => sum + damage.skippedRecords, 0)
    const skippedBytes = damaged.reduce((sum, { damage }) => sum + damage.skippedBytes, 0)
    logger.info('persistence ready', {
      dir,
      fsync: options.fsync,
      records: loaded.records,
      items: engine.stats().items,
      ...(damaged.length > 0 ? { skippedRecords, skippedBytes } : {}),
      ms: Math.round(performance.now() - started),
    })
    engine.listen(persistence)
    persistence.startTimers()
    return persistence
  }

  private startTimers(): void {
    if (this.options.fsync !== 'always') {
      const fsync = this.options.fsync === 'everysec'
      this.timers.push(
        setInterval(
          () => this.journal.sync(fsync).catch((error) => this.logger.error('journal write failed', { error: String(error) })),
          WRITE_INTERVAL_MS,
        ),
      )
    }
    if (this.options.snapshotIntervalMs > 0) {
      // snapshot() logs its own failure; the next tick tries again.
      this.timers.push(setInterval(() => this.changedSinceSnapshot && this.snapshot().catch(() => {}), this.options.snapshotIntervalMs))
    }
    for (const timer of this.timers) timer.unref()
  }

  // MutationListener: every client change goes to the journal's buffer.
  written(entry: Entry): void {
    this.log(encodeRecord({ op: Op.Set, entry }))
  }
  deleted(key: string): void {
    this.log(encodeRecord({ op: Op.Delete, key }))
  }
  deletedPrefix(prefix: string): void {
    this.log(encodeRecord({ op: Op.DeletePrefix, key: prefix }))
  }
  flushed(): void {
    this.log(encodeRecord({ op: Op.Flush }))
  }
  touched(key: string, expiresAt: number): void {
    this.log(encodeRecord({ op: Op.Touch, key, expiresAt }))
  }

  private log(record: Uint8Array): void {
    this.journal.append(record)
    this.changedSinceSnapshot = true
  }

  /** Resolves once every change made so far is on disk as the fsync policy promises (at once unless `always`). */
  durable(): Promise<void> {
    if (this.options.fsync !== 'always') return Promise.resolve()
    // A change logged just before a snapshot switched journals is durable only once the old one is
    // closed. Both are retried on every call, so writes recover by themselves when the disk does.
    return Promise.all([this.journal.sync(true), this.closePrevious()]).then(
      () => undefined,
      (error: unknown) => {
        this.logger.error('journal write failed', { error: String(error) })
        throw error
      },
    )
  }

  private closePrevious(): Promise<void> {
    const previous = this.previous
    if (previous === null) return Promise.resolve()
    return previous.close().then(() => {
      if (this.previous === previous) this.previous = null
    })
  }

  /**
   * Takes a snapshot (one at a time: a call during one shares it) and drops the journals it
   * replaces. A failure rejects with a SnapshotError and leaves nothing behind: the previous
   * snapshot and the journals still hold everything, and appends go on.
   */
  snapshot(): Promise<SnapshotResult> {
    this.snapshotting ??= this.takeSnapshot()
      .catch((cause: unknown) => {
        this.changedSinceSnapshot = true
        const error = new SnapshotError(cause)
        this.logger.error('snapshot failed', { error: error.message, noSpace: error.noSpace })
        throw error
      })
      .finally(() => (this.snapshotting = null))
    return this.snapshotting
  }

  private async takeSnapshot(): Promise<SnapshotResult> {
    const started = performance.now()
    const { dir } = this.options
    // A journal an earlier failed snapshot could not close comes first: its records precede the next one's.
    await this.closePrevious()
    const generation = this.generation + 1
    const next = await Journal.open(this.files, join(dir, journalName(generation)), generation, undefined)
    try {
      // The new journal's name must survive a power loss before writes to it are acknowledged.
      this.files.syncDirectory(dir)
    } catch (error) {
      await next.close().catch(() => {})
      this.files.remove(next.path)
      throw error
    }
    this.previous = this.journal
    this.journal = next
    this.generation = generation
    this.changedSinceSnapshot = false
    await this.closePrevious()
    const written = await writeSnapshot(this.files, this.engine, join(dir, SNAPSHOT_FILE), generation)
    for (const old of journalGenerations(dir)) if (old < generation) this.files.remove(join(dir, journalName(old)))
    this.files.syncDirectory(dir)
    const result = { ...written, generation, durationMs: Math.round(performance.now() - started) }
    this.logger.info('snapshot written', { ...result, longestStepMs: Math.round(result.longestStepMs * 10) / 10 })
    return result
  }

  /** At stop: a final snapshot (so the next start loads one file), then the journal closes and the lock is released. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer)
    try {
      await this.snapshot()
    } finally {
      this.engine.listen(undefined)
      try {
        await this.closeJournals()
      } finally {
        this.lock.release()
      }
    }
  }

  private async closeJournals(): Promise<void> {
    await this.closePrevious()
    await this.journal.close()
  }

  /** Stops logging and releases the directory without writing anything more: what a crash leaves (for tests). */
  abandon(): void {
    for (const timer of this.timers) clearInterval(timer)
    this.engine.listen(undefined)
    this.lock.release()
  }
}
