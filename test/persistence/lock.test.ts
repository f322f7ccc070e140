import { describe, expect, test } from 'bun:test'
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PersistenceError } from '../../src/persistence'
import { bytes, cleanUpAfterEach, dataDir, open, text } from '../support/persistence'

cleanUpAfterEach()

describe('persistence: one instance per data directory', () => {
  test('a second start on a directory in use fails, naming it and the PID that holds it, and touches nothing', async () => {
    const dir = dataDir()
    const first = await open(dir)
    first.engine.set('a', bytes('1'), 'text/plain')
    await first.persistence.durable()
    expect(readFileSync(join(dir, 'fastcache.lock'), 'utf8')).toBe(`${process.pid}\n`)
    // What the first instance may be in the middle of: a second start must not clean it up.
    writeFileSync(join(dir, 'snapshot.fcs.tmp'), 'a snapshot being written')

    const second = open(dir)
    await expect(second).rejects.toBeInstanceOf(PersistenceError)
    const holder = `another fastcache (PID ${process.pid})`
    await expect(second).rejects.toThrow(`the data directory ${dir} is in use by ${holder}: one directory serves one instance`)
    expect(existsSync(join(dir, 'snapshot.fcs.tmp'))).toBe(true)
    first.engine.set('b', bytes('2'), 'text/plain')
    await first.persistence.durable()
  })

  test('a crash releases the lock: the next start takes the directory over with every acknowledged write', async () => {
    const dir = dataDir()
    const first = await open(dir)
    first.engine.set('a', bytes('1'), 'text/plain')
    await first.persistence.durable()
    first.crash()
    const second = await open(dir)
    expect(text(second.engine.peek('a'))).toBe('1')
  })

  test('a clean stop releases the lock too', async () => {
    const dir = dataDir()
    const first = await open(dir)
    first.engine.set('a', bytes('1'), 'text/plain')
    await first.close()
    const second = await open(dir)
    expect(text(second.engine.peek('a'))).toBe('1')
  })
})

describe('persistence: the lock file', () => {
  test('a lock file that is a symbolic link is refused, and what it points to is left alone', async () => {
    const dir = dataDir()
    const target = join(dataDir(), 'precious')
    writeFileSync(target, 'do not truncate me')
    symlinkSync(target, join(dir, 'fastcache.lock'))
    await expect(open(dir)).rejects.toThrow(new RegExp(`^cannot lock the data directory ${dir}: ELOOP`))
    expect(readFileSync(target, 'utf8')).toBe('do not truncate me')
  })
})
