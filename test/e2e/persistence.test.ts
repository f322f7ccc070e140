import { describe, expect, test } from 'bun:test'
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { rmSync, statfsSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { recordOffsets } from '../support/persistence'
import { binaryHarness, type Server } from '../support/binary'

const { workDir, start: startWith, stop, runToExit } = binaryHarness()
const start = (args: string[], launcher: string[] = []) => startWith(args, { launcher })

/** The message of a fatal error, which is the last line the binary writes (one JSON log line). */
function fatalLine(stderr: string): string {
  const line = JSON.parse(stderr.trimEnd().split('\n').at(-1)!) as { level: string; message: string }
  expect(line.level).toBe('error')
  return line.message
}
const newDataDir = () => mkdtempSync(join(workDir, 'data-'))

const put = (server: Server, key: string, value: string) => fetch(`${server.url}/v1/kv/${key}`, { method: 'PUT', body: value })
const get = async (server: Server, key: string) => {
  const response = await fetch(`${server.url}/v1/kv/${key}`)
  return response.status === 200 ? await response.text() : response.status
}
const snapshot = async (server: Server) => {
  const response = await fetch(`${server.url}/v1/admin/snapshot`, { method: 'POST' })
  // biome-ignore lint/suspicious/noExplicitAny: the test reads whatever shape the route answers with.
  return { status: response.status, body: (await response.json()) as any }
}

/** The lines a server logged before it started: each must be one JSON object. */
const logged = (server: Server) =>
  server.earlierLines.filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>)

describe('the binary with --data-dir', () => {
  test('a second instance on the same directory exits 1 with one line naming it and the PID holding it; kill -9 frees it', async () => {
    const dir = newDataDir()
    const first = await start(['--data-dir', dir, '--fsync', 'always'])
    expect((await put(first, 'a', 'from the first')).status).toBe(201)
    const second = await runToExit(['--port', '0', '--data-dir', dir, '--fsync', 'always'], { timeoutMs: 5000 })
    expect(second.exitCode).toBe(1)
    const holder = `another fastcache (PID ${first.proc.pid})`
    expect(fatalLine(second.stderr)).toBe(`the data directory ${dir} is in use by ${holder}: one directory serves one instance`)
    expect(await get(first, 'a')).toBe('from the first')
    expect(await stop(first, 'SIGKILL')).not.toBe(0)
    const third = await start(['--data-dir', dir, '--fsync', 'always'])
    expect(await get(third, 'a')).toBe('from the first')
    expect(await stop(third)).toBe(0)
  }, 20_000)

  test('a journal cut inside its header (a crash while it was being created) starts without --recover, with a warning', async () => {
    const dir = newDataDir()
    const first = await start(['--data-dir', dir, '--fsync', 'always'])
    expect((await put(first, 'a', 'kept')).status).toBe(201)
    await stop(first, 'SIGKILL')
    // What a kill between creating a snapshot's new journal and writing its header leaves.
    writeFileSync(join(dir, 'journal-2.fcj'), '')
    const restarted = await start(['--data-dir', dir, '--fsync', 'always'])
    const warning = { level: 'warn', message: expect.stringContaining('inside its header'), file: join(dir, 'journal-2.fcj') }
    expect(logged(restarted)).toContainEqual(expect.objectContaining(warning))
    expect(await get(restarted, 'a')).toBe('kept')
    expect((await put(restarted, 'b', 'appended')).status).toBe(201)
    await stop(restarted, 'SIGKILL')
    const again = await start(['--data-dir', dir, '--fsync', 'always'])
    expect([await get(again, 'a'), await get(again, 'b')]).toEqual(['kept', 'appended'])
    expect(await stop(again)).toBe(0)
  }, 20_000)

  test('--recover skips only the damaged record, keeps the file aside, reports the skip; then no --recover is needed', async () => {
    const dir = newDataDir()
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`)
    const first = await start(['--data-dir', dir, '--fsync', 'always'])
    for (const key of keys) expect((await put(first, key, `value of ${key}`)).status).toBe(201)
    await stop(first, 'SIGKILL')
    const journal = join(dir, 'journal-1.fcj')
    const file = new Uint8Array(readFileSync(journal))
    const offsets = recordOffsets(file)
    file[offsets[3]! + 20]! ^= 0xff
    writeFileSync(journal, file)

    const refused = await runToExit(['--port', '0', '--data-dir', dir], { timeoutMs: 5000 })
    expect(refused.exitCode).toBe(1)
    const hint = '(start with --recover to skip the damaged records and keep the rest)'
    expect(fatalLine(refused.stderr)).toBe(`${journal}: checksum mismatch at offset ${offsets[3]} ${hint}`)

    const recovered = await start(['--data-dir', dir, '--recover'])
    const lines = logged(recovered)
    const recordBytes = offsets[4]! - offsets[3]!
    expect(lines.filter((line) => line.level === 'warn')).toEqual([
      expect.objectContaining({
        file: journal,
        offset: offsets[3],
        reason: 'checksum mismatch',
        skippedRecords: 1,
        skippedBytes: recordBytes,
        keptAs: expect.stringContaining('.damaged-'),
      }),
    ])
    expect(lines).toContainEqual(expect.objectContaining({ message: 'persistence ready', skippedRecords: 1, skippedBytes: recordBytes }))
    const values = async (server: Server) => Promise.all(keys.map((key) => get(server, key)))
    const expected = keys.map((key) => (key === 'k3' ? 404 : `value of ${key}`))
    expect(await values(recovered)).toEqual(expected)
    const keptAs = String(lines.find((line) => line.level === 'warn')!.keptAs)
    expect(Buffer.from(readFileSync(keptAs)).equals(file)).toBe(true)
    expect(await stop(recovered)).toBe(0)

    const plain = await start(['--data-dir', dir])
    expect(await values(plain)).toEqual(expected)
    expect(await stop(plain)).toBe(0)
  }, 20_000)

  test('--snapshot-interval 0 starts (no snapshot on a timer); snapshots are still taken on demand', async () => {
    const dir = newDataDir()
    const server = await start(['--data-dir', dir, '--snapshot-interval', '0'])
    expect((await put(server, 'a', '1')).status).toBe(201)
    expect(await snapshot(server)).toMatchObject({ status: 200, body: { entries: 1 } })
    expect(await stop(server)).toBe(0)
  })
})

/**
 * A small file system of its own where the test may mount one (root, here); otherwise a limit on
 * the size of any file the server writes (ulimit -f), which fails writes with EFBIG the same way.
 */
function smallDisk(): { dir: string; mounted: boolean; unmount: () => void } {
  const dir = mkdtempSync(join(workDir, 'disk-'))
  let failure: string
  try {
    const mount = Bun.spawnSync(['mount', '-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stderr: 'pipe' })
    failure = mount.exitCode === 0 ? '' : mount.stderr.toString().trim()
  } catch (error) {
    failure = String(error)
  }
  const mounted = failure === ''
  console.log(`full-disk test: ${mounted ? `a 4 MiB tmpfs at ${dir}` : `no tmpfs (${failure}); a file-size limit (ulimit -f) instead`}`)
  return { dir, mounted, unmount: () => void (mounted && Bun.spawnSync(['umount', '-l', dir])) }
}

/** Fills the file system holding `dir` until a write fails; returns the filler's path. */
function fill(dir: string): string {
  const filler = join(dir, 'filler')
  const chunk = new Uint8Array(64 * 1024)
  try {
    for (;;) appendFileSync(filler, chunk)
  } catch {
    for (let size = 4096; size > 0; size >>= 1) {
      try {
        for (;;) appendFileSync(filler, chunk.subarray(0, size))
      } catch {}
    }
  }
  return filler
}

describe('the binary on a full disk', () => {
  test('a snapshot that does not fit answers 507, leaves no temporary file; writes go on, and recover once there is room', async () => {
    const disk = smallDisk()
    try {
      const dir = join(disk.dir, 'data')
      mkdirSync(dir)
      const args = ['--data-dir', dir, '--fsync', 'always', '--snapshot-interval', '0']
      // Without a mount, no file may grow past 1.5 MiB: the journals stay under it, the second snapshot does not.
      const launcher = disk.mounted ? [] : ['bash', '-c', 'ulimit -f 1536; exec "$@"', 'fastcache']
      const server = await start(args, launcher)
      const acknowledged = new Map<string, string>()
      const write = async (key: string, value: string) => {
        const response = await put(server, key, value)
        if (response.status === 201) acknowledged.set(key, value)
        return response.status
      }
      const value = 'v'.repeat(4000)
      for (let i = 0; i < 300; i++) expect(await write(`first-${i}`, value)).toBe(201)
      if (disk.mounted) {
        // Room for the journal to go on, not for a 1.2 MB snapshot.
        const free = statfsSync(disk.dir).bavail * statfsSync(disk.dir).bsize
        writeFileSync(join(disk.dir, 'filler'), new Uint8Array(free - 600 * 1024))
      } else {
        expect((await snapshot(server)).status).toBe(200)
        for (let i = 0; i < 150; i++) expect(await write(`second-${i}`, value)).toBe(201)
      }

      const failed = await snapshot(server)
      expect(failed.status).toBe(507)
      expect(failed.body.error.code).toBe('INSUFFICIENT_STORAGE')
      expect(existsSync(join(dir, 'snapshot.fcs.tmp'))).toBe(false)
      expect(await write('after-the-failed-snapshot', 'journal goes on')).toBe(201)

      if (disk.mounted) {
        const filler = fill(disk.dir)
        // Larger than a page: it cannot slip into room left at the end of the journal's last page.
        expect(await write('disk-full', 'x'.repeat(10_000))).toBe(503)
        rmSync(filler)
        expect(await write('room-again', 'acknowledged again')).toBe(201)
        expect(await snapshot(server)).toMatchObject({ status: 200 })
        // A full disk again at stop: the final snapshot fails, the server still exits 0 and leaves nothing half-made.
        fill(disk.dir)
      }
      expect(await stop(server)).toBe(0)
      expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([])
      const journals = readdirSync(dir).filter((name) => name.endsWith('.fcj'))
      for (const name of journals) expect(statSync(join(dir, name)).size).toBeGreaterThanOrEqual(16)

      rmSync(join(disk.dir, 'filler'), { force: true })
      const restarted = await start(args)
      const missing = []
      for (const [key, expected] of acknowledged) if ((await get(restarted, key)) !== expected) missing.push(key)
      expect(missing).toEqual([])
      expect(await stop(restarted)).toBe(0)
    } finally {
      disk.unmount()
    }
  }, 30_000)
})
