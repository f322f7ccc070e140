import { describe, expect, test } from 'bun:test'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { ManualClock, type CacheEngine } from '../../src/cache'
import { silentLogger } from '../../src/log/logger'
import { diskFiles, type Files } from '../../src/persistence/files'
import { bytes, cleanUpAfterEach, dataDir, open, text } from '../support/persistence'

cleanUpAfterEach()

// Every state a crash can leave, tried one by one: the run is stopped at its Nth file operation
// (before it; for a write, also after half of its bytes), the directory is copied as the crash
// left it, and the copy must start - without --recover - with every acknowledged write.

const never = new Promise<never>(() => {})

/** The real disk until the `at`th operation; there the process "dies": that operation and every later one never happen. */
class CrashAt implements Files {
  private count = 0
  private readonly inFlight = new Set<Promise<unknown>>()
  private readonly handles: FileHandle[] = []
  /** The directories left by the crash, once it happened. */
  readonly states: Promise<string[]>
  private crash!: (partialWrite?: { path: string; data: Uint8Array; position: number }) => void

  constructor(
    readonly at: number,
    private readonly dir: string,
  ) {
    this.states = new Promise((resolve) => {
      this.crash = (partialWrite) => {
        // Operations started before the crash finish (or not): finishing is one of the states it leaves.
        void Promise.allSettled([...this.inFlight]).then(() => {
          const states = [this.copy()]
          if (partialWrite !== undefined) {
            const state = this.copy()
            const path = join(state, relative(this.dir, partialWrite.path))
            const file = new Uint8Array(readFileSync(path))
            const grown = new Uint8Array(Math.max(file.byteLength, partialWrite.position + partialWrite.data.byteLength))
            grown.set(file)
            grown.set(partialWrite.data, partialWrite.position)
            writeFileSync(path, grown)
            states.push(state)
          }
          resolve(states)
        })
      }
    })
  }

  /** How many operations ran: a run that never reached `at` had no crash. */
  get operations(): number {
    return this.count
  }

  /** What the kernel does for a dead process: closes its files (left to the garbage collector, they would fail the run). */
  async closeFiles(): Promise<void> {
    await Promise.all(this.handles.map((handle) => handle.close().catch(() => {})))
  }

  get crashed(): boolean {
    return this.count >= this.at
  }

  private reached(partialWrite?: { path: string; data: Uint8Array; position: number }): boolean {
    this.count++
    if (this.count === this.at) this.crash(partialWrite)
    return this.count >= this.at
  }

  private copy(): string {
    const state = mkdtempSync(join(tmpdir(), 'fastcache-crash-state-'))
    cpSync(this.dir, state, { recursive: true })
    return state
  }

  private track<T>(operation: Promise<T>): Promise<T> {
    this.inFlight.add(operation)
    void operation.catch(() => {}).finally(() => this.inFlight.delete(operation))
    return operation
  }

  open = async (path: string, flags: 'w' | 'r+'): Promise<FileHandle> => {
    if (this.reached()) return never
    const handle = await this.track(diskFiles.open(path, flags))
    this.handles.push(handle)
    const guarded =
      (name: 'datasync' | 'truncate' | 'close') =>
      (...args: unknown[]) =>
        this.reached() ? never : this.track((handle[name] as (...a: unknown[]) => Promise<unknown>)(...args))
    return new Proxy(handle, {
      get: (target, property) => {
        if (property === 'write') {
          return (buffer: Uint8Array, offset: number, length: number, position: number) => {
            const data = buffer.subarray(offset, offset + Math.floor(length / 2))
            return this.reached({ path, data, position }) ? never : this.track(target.write(buffer, offset, length, position))
          }
        }
        if (property === 'datasync' || property === 'truncate' || property === 'close') return guarded(property)
        const value = Reflect.get(target, property)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
  }
  rename = (from: string, to: string) => (this.reached() ? never : this.track(diskFiles.rename(from, to)))
  private sync<A extends unknown[]>(operation: (...args: A) => void) {
    return (...args: A) => {
      if (this.reached()) throw new Error('the process is dead')
      operation(...args)
    }
  }
  link = this.sync(diskFiles.link)
  remove = this.sync(diskFiles.remove)
  syncDirectory = this.sync(diskFiles.syncDirectory)
}

/** What a key may hold after a crash: its acknowledged value, or that of a write in flight at the crash. */
class Acknowledged {
  private readonly acknowledged = new Map<string, string | undefined>()
  private readonly inFlight = new Map<string, string | undefined>()

  /** `dead`: the crash happened. The test stops logging then, so what follows could not be acknowledged. */
  constructor(private readonly dead: () => boolean) {}

  set(engine: CacheEngine, key: string, value: string) {
    engine.set(key, bytes(value), 'text/plain')
    this.inFlight.set(key, value)
  }
  delete(engine: CacheEngine, key: string) {
    engine.delete(key)
    this.inFlight.set(key, undefined)
  }
  async durable(persistence: { durable(): Promise<void> }) {
    const batch = new Map(this.inFlight)
    await persistence.durable()
    if (this.dead()) return never
    for (const [key, value] of batch) this.acknowledged.set(key, value)
  }
  mismatches(engine: CacheEngine): string[] {
    const keys = new Set([...this.acknowledged.keys(), ...this.inFlight.keys()])
    return [...keys].filter((key) => {
      const found = text(engine.peek(key))
      return found !== this.acknowledged.get(key) && !(this.inFlight.has(key) && found === this.inFlight.get(key))
    })
  }
}

/** Writes, two snapshots (the second with writes going on while it runs), more writes, a clean stop. */
async function traffic(dir: string, clock: ManualClock, files: Files, model: Acknowledged, opened: (crash: () => void) => void) {
  const { engine, persistence, close, crash } = await open(dir, clock, {}, silentLogger, files)
  opened(crash)
  for (let i = 0; i < 1500; i++) model.set(engine, `k${i}`, `first ${i}`)
  await model.durable(persistence)
  await persistence.snapshot()
  for (let i = 0; i < 1500; i += 50) model.set(engine, `k${i}`, `second ${i}`)
  for (let i = 1; i < 1500; i += 100) model.delete(engine, `k${i}`)
  await model.durable(persistence)
  const snapshot = persistence.snapshot()
  // Awaited below; a crash can make it fail while the writes below wait forever.
  snapshot.catch(() => {})
  for (let round = 0; round < 5; round++) {
    await Bun.sleep(0)
    model.set(engine, `during${round}`, `written during the snapshot ${round}`)
    model.delete(engine, `k${round * 100 + 2}`)
    await model.durable(persistence)
  }
  await snapshot
  model.set(engine, 'last', 'after both snapshots')
  await model.durable(persistence)
  await close()
}

/**
 * Runs `run` once per file operation it makes, crashing at that operation, and checks every state
 * each crash leaves. Returns how many crash points there were.
 */
async function crashAtEveryOperation(
  prepare: (dir: string) => void,
  run: (dir: string, files: CrashAt, opened: (crash: () => void) => void) => Promise<void>,
  check: (state: string, files: CrashAt) => Promise<void>,
): Promise<number> {
  for (let at = 1; ; at++) {
    const dir = dataDir()
    prepare(dir)
    const files = new CrashAt(at, dir)
    let crash = () => {}
    const finished = run(dir, files, (crashed) => (crash = crashed)).then(
      () => true,
      (error: unknown) => {
        // What the dead process went on doing is of no interest; a failure before the crash is.
        if (!files.crashed) throw error
        return false
      },
    )
    const crashed = await Promise.race([finished.then((done) => !done), files.states.then(() => true)])
    crash()
    if (!crashed) {
      expect(files.operations).toBeLessThan(at)
      return at - 1
    }
    const states = await files.states
    await files.closeFiles()
    for (const state of states) {
      try {
        await check(state, files)
      } finally {
        rmSync(state, { recursive: true, force: true })
      }
    }
  }
}

describe('persistence: every state a crash can leave starts', () => {
  // Start, writes, snapshots (journal switch, temporary file, rename, deletions) and stop.
  test('a crash at any file operation: a plain start has every acknowledged write', async () => {
    const clock = new ManualClock()
    let model!: Acknowledged
    const points = await crashAtEveryOperation(
      () => {},
      (dir, files, opened) => {
        model = new Acknowledged(() => files.crashed)
        return traffic(dir, clock, files, model, opened)
      },
      async (state, files) => {
        const restarted = await open(state, clock)
        expect({ at: files.at, mismatches: model.mismatches(restarted.engine) }).toEqual({ at: files.at, mismatches: [] })
        // Usable, not only readable: more writes and a clean stop work.
        restarted.engine.set('next', bytes('start'), 'text/plain')
        await restarted.close()
      },
    )
    // Start, five fsynced write batches, two snapshots and a stop: dozens of operations, each a crash point.
    expect(points).toBeGreaterThan(40)
  }, 60_000)

  // --recover keeps damaged files aside, then saves what it read in a new snapshot.
  test('a crash during --recover: --recover again gives the same data, then a plain start does', async () => {
    const clock = new ManualClock()
    const base = dataDir()
    const first = await open(base, clock)
    for (let i = 0; i < 10; i++) first.engine.set(`k${i}`, bytes(`value ${i}`), 'text/plain')
    await first.persistence.durable()
    first.crash()
    const journal = new Uint8Array(readFileSync(join(base, 'journal-1.fcj')))
    journal[journal.byteLength - 100]! ^= 0xff
    writeFileSync(join(base, 'journal-1.fcj'), journal)
    const loaded = (engine: CacheEngine) => Array.from({ length: 10 }, (_, i) => text(engine.peek(`k${i}`)))
    const probe = await open(base, clock, { recover: true })
    const expected = loaded(probe.engine)
    probe.crash()
    expect(expected.filter((value) => value === undefined)).toHaveLength(1)

    const points = await crashAtEveryOperation(
      (dir) => writeFileSync(join(dir, 'journal-1.fcj'), journal),
      async (dir, files, opened) => opened((await open(dir, clock, { recover: true }, silentLogger, files)).crash),
      async (state) => {
        const recovered = await open(state, clock, { recover: true })
        expect(loaded(recovered.engine)).toEqual(expected)
        await recovered.close()
        expect(loaded((await open(state, clock)).engine)).toEqual(expected)
      },
    )
    expect(points).toBeGreaterThan(10)
  })
})
