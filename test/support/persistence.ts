import { afterEach } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CacheEngine, ManualClock, type Entry } from '../../src/cache'
import { createLogger, silentLogger, type Logger } from '../../src/log/logger'
import { Persistence, type PersistenceOptions } from '../../src/persistence'
import { diskFiles, type Files } from '../../src/persistence/files'

// Helpers for the persistence tests: data directories removed after each test, engines loaded from
// them, a logger that keeps what it is told, and a file seam that fails chosen writes.

const dirs: string[] = []
const opened: Persistence[] = []
// A "crashed" Persistence leaves its journal open, as a killed process's last state; holding it
// here keeps the garbage collector from closing the file under the test run.
const crashed: Persistence[] = []

/** Call at the top of a test file: after each test, stops what it left open and removes its directories. */
export function cleanUpAfterEach(): void {
  afterEach(async () => {
    for (const persistence of opened.splice(0)) await persistence.close().catch(() => {})
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })
}

export function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fastcache-persist-'))
  dirs.push(dir)
  return dir
}

export const bytes = (text: string) => new TextEncoder().encode(text)
export const text = (entry: Entry | undefined) => (entry === undefined ? undefined : new TextDecoder().decode(entry.value))

/** A fresh engine on `clock` loaded from `dir`; `crash()` leaves without the final snapshot or close. */
export async function open(
  dir: string,
  clock = new ManualClock(),
  options: Partial<PersistenceOptions> = {},
  logger: Logger = silentLogger,
  files: Files = diskFiles,
) {
  const engine = new CacheEngine({ maxBytes: 64 * 1024 * 1024, clock, sweepIntervalMs: 0 })
  const defaults: PersistenceOptions = { dir, fsync: 'always', snapshotIntervalMs: 0, recover: false }
  const persistence = await Persistence.start(engine, { ...defaults, ...options }, logger, files)
  opened.push(persistence)
  return {
    engine,
    persistence,
    /** A clean stop: the final snapshot, then the journal closes. */
    close: async () => {
      opened.splice(opened.indexOf(persistence), 1)
      await persistence.close()
    },
    /** kill -9 after the last acknowledged write: nothing more is written, and the directory's lock is released. */
    crash: () => {
      opened.splice(opened.indexOf(persistence), 1)
      crashed.push(persistence)
      persistence.abandon()
    },
  }
}

export function capturingLogger() {
  const lines: Record<string, unknown>[] = []
  const logger: Logger = createLogger('info', (line) => void lines.push(JSON.parse(line)))
  return { logger, lines, warnings: () => lines.filter((line) => line.level === 'warn') }
}

/** Where each record of a snapshot or journal starts (after the 16-byte header), read from their lengths. */
export function recordOffsets(file: Uint8Array): number[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  const offsets: number[] = []
  for (let at = 16; at < file.byteLength; at += 12 + view.getUint32(at, true)) offsets.push(at)
  return offsets
}

export const noSpace = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })

/**
 * The real disk, except that writes to the files `full` picks fail with ENOSPC (nothing written),
 * and a datasync fails with EIO while `failSyncs` is above 0. Counts the datasyncs done.
 */
export class FaultyFiles implements Files {
  full: (path: string) => boolean = () => false
  failSyncs = 0
  syncs = 0

  open = async (path: string, flags: 'w' | 'r+'): Promise<FileHandle> => {
    const handle = await diskFiles.open(path, flags)
    return new Proxy(handle, {
      get: (target, property) => {
        if (property === 'write') {
          const write = target.write.bind(target) as (...args: unknown[]) => Promise<unknown>
          return (...args: unknown[]) => (this.full(path) ? Promise.reject(noSpace()) : write(...args))
        }
        if (property === 'datasync') {
          return () => {
            if (this.failSyncs > 0) {
              this.failSyncs--
              return Promise.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }))
            }
            this.syncs++
            return target.datasync()
          }
        }
        const value = Reflect.get(target, property)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
  }
  rename = diskFiles.rename
  link = diskFiles.link
  remove = diskFiles.remove
  syncDirectory = diskFiles.syncDirectory
}
