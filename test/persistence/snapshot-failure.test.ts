import { describe, expect, test } from 'bun:test'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createApp } from '../../src/app'
import { ManualClock } from '../../src/cache'
import { SnapshotError } from '../../src/persistence'
import { baseConfig } from '../support/app'
import { FaultyFiles, bytes, cleanUpAfterEach, dataDir, open, text } from '../support/persistence'

cleanUpAfterEach()

const isSnapshot = (path: string) => path.endsWith('snapshot.fcs.tmp')
const everything = () => true

/** Every acknowledged key is back after a crash and a plain start. */
async function expectAfterCrash(dir: string, clock: ManualClock, expected: Record<string, string>) {
  const next = await open(dir, clock)
  for (const [key, value] of Object.entries(expected)) expect(text(next.engine.peek(key))).toBe(value)
  return next
}

/** Persistence in a new directory, on the real disk through a seam that fails what the test says. */
async function openOnFaultyDisk() {
  const dir = dataDir()
  const clock = new ManualClock()
  const files = new FaultyFiles()
  return { dir, clock, files, first: await open(dir, clock, {}, undefined, files) }
}

describe('persistence: failures do not stick', () => {
  test('a snapshot on a full disk rejects with a SnapshotError, removes its temporary file at once, and the journal goes on', async () => {
    const { dir, clock, files, first } = await openOnFaultyDisk()
    for (let i = 0; i < 2500; i++) first.engine.set(`k${i}`, bytes('x'.repeat(100)), 'text/plain')
    await first.persistence.durable()

    files.full = isSnapshot
    const failed = first.persistence.snapshot()
    await expect(failed).rejects.toBeInstanceOf(SnapshotError)
    const message = 'the snapshot was not written: ENOSPC: no space left on device, write'
    await expect(failed).rejects.toMatchObject({ noSpace: true, message })
    expect(existsSync(join(dir, 'snapshot.fcs.tmp'))).toBe(false)
    first.engine.set('after', bytes('the failed snapshot'), 'text/plain')
    await first.persistence.durable()

    files.full = () => false
    expect((await first.persistence.snapshot()).entries).toBe(2501)
    first.crash()
    await expectAfterCrash(dir, clock, { k0: 'x'.repeat(100), k2499: 'x'.repeat(100), after: 'the failed snapshot' })
  })

  test('a full disk: writes fail while it lasts and succeed again by themselves once there is room, the failed ones included', async () => {
    const { dir, clock, files, first } = await openOnFaultyDisk()
    first.engine.set('before', bytes('1'), 'text/plain')
    await first.persistence.durable()
    files.full = everything
    first.engine.set('during', bytes('2'), 'text/plain')
    await expect(first.persistence.durable()).rejects.toThrow('ENOSPC')
    await expect(first.persistence.snapshot()).rejects.toMatchObject({ noSpace: true })
    await expect(first.persistence.durable()).rejects.toThrow('ENOSPC')

    files.full = () => false
    first.engine.set('after', bytes('3'), 'text/plain')
    await first.persistence.durable()
    first.crash()
    await expectAfterCrash(dir, clock, { before: '1', during: '2', after: '3' })
  })

  test('a snapshot that cannot close the previous journal leaves no write stuck: the journal is closed later, in order', async () => {
    const { dir, clock, files, first } = await openOnFaultyDisk()
    first.engine.set('k', bytes('old'), 'text/plain')
    // Still buffered for journal 1 when the snapshot switches to journal 2, whose writes succeed.
    files.full = (path) => path.endsWith('journal-1.fcj')
    await expect(first.persistence.snapshot()).rejects.toBeInstanceOf(SnapshotError)
    first.engine.set('k', bytes('new'), 'text/plain')
    await expect(first.persistence.durable()).rejects.toThrow('ENOSPC')

    files.full = () => false
    await first.persistence.durable()
    first.engine.set('other', bytes('1'), 'text/plain')
    await first.persistence.durable()
    first.crash()
    // Replayed in order, journal 1 then journal 2: "new" wins over "old".
    const second = await expectAfterCrash(dir, clock, { k: 'new', other: '1' })
    await second.persistence.snapshot()
    expect(readdirSync(dir).sort()).toEqual(['fastcache.lock', 'journal-3.fcj', 'snapshot.fcs'])
  })

  test('a full disk at stop: the final snapshot fails, and the directory starts again without --recover', async () => {
    const { dir, clock, files, first } = await openOnFaultyDisk()
    first.engine.set('a', bytes('1'), 'text/plain')
    await first.persistence.durable()
    files.full = everything
    await expect(first.close()).rejects.toBeInstanceOf(SnapshotError)
    // Nothing half-made is left: no temporary snapshot, no journal without a header.
    expect(readdirSync(dir).sort()).toEqual(['fastcache.lock', 'journal-1.fcj'])
    expect(statSync(join(dir, 'journal-1.fcj')).size).toBeGreaterThan(16)
    files.full = () => false
    await expectAfterCrash(dir, clock, { a: '1' })
  })

  test('a failed fsync is not taken as done: the next sync writes the records again and fsyncs', async () => {
    const { dir, clock, files, first } = await openOnFaultyDisk()
    files.failSyncs = 1
    first.engine.set('a', bytes('1'), 'text/plain')
    await expect(first.persistence.durable()).rejects.toThrow('EIO')
    const syncs = files.syncs
    await first.persistence.durable()
    expect(files.syncs).toBe(syncs + 1)
    first.crash()
    await expectAfterCrash(dir, clock, { a: '1' })
  })
})

describe('POST /v1/admin/snapshot when the snapshot fails', () => {
  async function appOnFaultyDisk() {
    const {
      clock,
      files,
      first: { engine, persistence },
    } = await openOnFaultyDisk()
    const config = { ...baseConfig, persistence: { dir: '', fsync: 'always' as const, snapshotIntervalMs: 0, recover: false } }
    const app = createApp(config, { engine, persistence, clock, sweepIntervalMs: 0 })
    const call = async (method: string, path: string, body?: string) => {
      const response = await app.handle(new Request(`http://localhost${path}`, { method, body }))
      // biome-ignore lint/suspicious/noExplicitAny: the test reads whatever shape the route answers with.
      return { status: response.status, json: (await response.json().catch(() => undefined)) as any }
    }
    return { call, files }
  }

  test('a full disk answers 507 INSUFFICIENT_STORAGE; writes go on; once there is room the snapshot succeeds', async () => {
    const { call, files } = await appOnFaultyDisk()
    expect((await call('PUT', '/v1/kv/a', 'one')).status).toBe(201)
    files.full = isSnapshot
    const failed = await call('POST', '/v1/admin/snapshot')
    expect(failed.status).toBe(507)
    expect(failed.json.error.code).toBe('INSUFFICIENT_STORAGE')
    expect(failed.json.error.message).toStartWith('the snapshot was not written: ENOSPC')
    expect((await call('PUT', '/v1/kv/b', 'two')).status).toBe(201)
    files.full = everything
    expect((await call('PUT', '/v1/kv/c', 'three')).status).toBe(503)
    files.full = () => false
    expect((await call('PUT', '/v1/kv/d', 'four')).status).toBe(201)
    expect((await call('POST', '/v1/admin/snapshot')).json).toMatchObject({ entries: 4 })
  })

  test('another failure answers 503 SNAPSHOT_FAILED', async () => {
    const { call, files } = await appOnFaultyDisk()
    expect((await call('PUT', '/v1/kv/a', 'one')).status).toBe(201)
    files.failSyncs = 10
    const failed = await call('POST', '/v1/admin/snapshot')
    expect(failed.status).toBe(503)
    expect(failed.json.error).toMatchObject({ code: 'SNAPSHOT_FAILED', message: expect.stringContaining('EIO') })
  })
})
