import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { CacheEngine, Entry, MutationListener } from '../cache'
import type { Logger } from '../log/logger'
import { Op, encodeRecord } from './format'
import { Journal, type FsyncPolicy } from './journal'
import { loadFile } from './loader'
import { diskFiles, type Files } from './files'
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

const SNAPSHOT_FILE = 'snapshot.fcs'
const JOURNAL_FILE = /^journal-(\d+)\.fcj$/
const journalName = (generation: number) => `journal-${generation}.fcj`
/** How often everysec and no write the journal out (everysec also fsyncs). */
const WRITE_INTERVAL_MS = 1000

/**
 * Keeps the cache on disk: a snapshot of everything plus a journal of every change since. A
 * snapshot of generation G holds everything logged before journal G; on start the snapshot loads,
 * then journals G, G+1, ... replay in order. Taking a snapshot starts journal G+1 first, so changes
 * made while it is written land there (replaying them over it is harmless: records are absolute).
 */
export class Persistence implements MutationListener {
  private snapshotting: Promise<SnapshotResult> | null = null
  /** The previous journal's closing (its final fsync) while a snapshot switches journals. */
  private closingPrevious: Promise<void> = Promise.resolve()
  private changedSinceSnapshot = false
  private readonly timers: ReturnType<typeof setInterval>[] = []

  private constructor(
    private readonly engine: CacheEngine,
    private readonly options: PersistenceOptions,
    private readonly logger: Logger,
    private journal: Journal,
    private generation: number,
    private readonly files: Files,
  ) {}

  /** Loads what the directory holds into the engine, then logs every change to it. */
  static async start(engine: CacheEngine, options: PersistenceOptions, logger: Logger, files: Files = diskFiles): Promise<Persistence> {
    const { dir, recover } = options
    mkdirSync(dir, { recursive: true })
    // A temporary snapshot is one a crash interrupted; the previous snapshot is still whole.
    files.remove(join(dir, `${SNAPSHOT_FILE}.tmp`))
    const started = performance.now()
    let base = 0
    let entries = 0
    const snapshotPath = join(dir, SNAPSHOT_FILE)
    if (existsSync(snapshotPath)) {
      const loaded = loadFile(engine, snapshotPath, 'snapshot', recover, logger)
      base = Math.max(0, loaded.generation)
      entries += loaded.records
    }
    const journals = readdirSync(dir)
      .map((name) => JOURNAL_FILE.exec(name))
      .filter((match) => match !== null)
      .map((match) => Number(match[1]))
      .sort((a, b) => a - b)
    let last: { generation: number; validBytes: number } | undefined
    for (const generation of journals) {
      const path = join(dir, journalName(generation))
      // Older than the snapshot: already in it, left by a crash before their deletion.
      if (generation < base) {
        files.remove(path)
        continue
      }
      const loaded = loadFile(engine, path, 'journal', recover, logger)
      entries += loaded.records
      last = { generation, validBytes: loaded.validBytes }
    }
    const generation = last?.generation ?? Math.max(base, 1)
    const journal = await Journal.open(files, join(dir, journalName(generation)), generation, last?.generation === generation && last.validBytes > 0 ? last.validBytes : undefined)
    files.syncDirectory(dir)
    logger.info('persistence ready', { dir, fsync: options.fsync, records: entries, items: engine.stats().items, ms: Math.round(performance.now() - started) })
    const persistence = new Persistence(engine, options, logger, journal, generation, files)
    engine.listen(persistence)
    persistence.startTimers()
    return persistence
  }

  private startTimers(): void {
    if (this.options.fsync !== 'always') {
      const fsync = this.options.fsync === 'everysec'
      this.timers.push(setInterval(() => this.journal.sync(fsync).catch((error) => this.logger.error('journal write failed', { error: String(error) })), WRITE_INTERVAL_MS))
    }
    if (this.options.snapshotIntervalMs > 0) {
      this.timers.push(
        setInterval(() => {
          if (this.changedSinceSnapshot) this.snapshot().catch((error) => this.logger.error('snapshot failed', { error: String(error) }))
        }, this.options.snapshotIntervalMs),
      )
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
    // A change logged just before a snapshot switched journals is durable only once the old one is closed.
    return Promise.all([this.journal.sync(true), this.closingPrevious]).then(() => undefined, (error: unknown) => {
      this.logger.error('journal write failed', { error: String(error) })
      throw error
    })
  }

  /** Takes a snapshot (one at a time: a call during one shares it) and drops the journals it replaces. */
  snapshot(): Promise<SnapshotResult> {
    this.snapshotting ??= this.takeSnapshot().finally(() => (this.snapshotting = null))
    return this.snapshotting
  }

  private async takeSnapshot(): Promise<SnapshotResult> {
    const started = performance.now()
    const generation = this.generation + 1
    const next = await Journal.open(this.files, join(this.options.dir, journalName(generation)), generation, undefined)
    // The new journal's name must survive a power loss before writes to it are acknowledged.
    this.files.syncDirectory(this.options.dir)
    const previous = this.journal
    this.journal = next
    this.generation = generation
    this.changedSinceSnapshot = false
    this.closingPrevious = previous.close()
    await this.closingPrevious
    const written = await writeSnapshot(this.files, this.engine, join(this.options.dir, SNAPSHOT_FILE), generation)
    for (const name of readdirSync(this.options.dir)) {
      const match = JOURNAL_FILE.exec(name)
      if (match !== null && Number(match[1]) < generation) this.files.remove(join(this.options.dir, name))
    }
    this.files.syncDirectory(this.options.dir)
    const result = { ...written, generation, durationMs: Math.round(performance.now() - started) }
    this.logger.info('snapshot written', { ...result, longestStepMs: Math.round(result.longestStepMs * 10) / 10 })
    return result
  }

  /** At stop: a final snapshot (so the next start loads one file), then the journal closes. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer)
    try {
      await this.snapshot()
    } finally {
      this.engine.listen(undefined)
      await this.journal.close()
    }
  }
}
