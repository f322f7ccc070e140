import { expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { binaryHarness, type Server } from '../support/binary'
import { Rng } from '../../bench/hitratio/prng'

// kill -9 at random moments while clients write and snapshots run back to back; after each kill a
// plain start (no --recover) must succeed with every acknowledged write. --fsync always makes
// acknowledged mean on disk. The kill moments come from a seeded generator: set
// FASTCACHE_CRASH_SEED to replay a run's seed (timing on the machine still varies).

const { workDir, start, stop } = binaryHarness()
const json = (body: unknown) => ({ body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
const KILLS = 32
const CLIENTS = 4
const KEYS_PER_CLIENT = 100
const PRELOADED = 4000

const seed = Number(process.env.FASTCACHE_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31))
console.log(`crash loop seed: ${seed} (FASTCACHE_CRASH_SEED=${seed} replays it)`)

/** Servers this test killed: their requests may fail. */
const killed = new Set<Server>()

/** Per key, what may be found after a crash: the acknowledged value (null: deleted), or that of the one request in flight. */
class Expected {
  readonly acknowledged = new Map<string, string | null>()
  readonly inFlight = new Map<string, string | null>()

  /** Checks every key against the server, then takes what was found as settled (a crash no longer changes it). */
  async check(server: Server): Promise<string[]> {
    const keys = [...new Set([...this.acknowledged.keys(), ...this.inFlight.keys()])]
    const wrong: string[] = []
    for (let at = 0; at < keys.length; at += 1000) {
      const ops = keys.slice(at, at + 1000).map((key) => ({ op: 'get', key }))
      const response = await fetch(`${server.url}/v1/batch`, { method: 'POST', ...json({ ops }) })
      const { results } = (await response.json()) as { results: { key: string; status: number; value?: string }[] }
      for (const { key, status, value } of results) {
        const found = status === 200 ? value! : null
        const allowed = [this.acknowledged.get(key) ?? null, ...(this.inFlight.has(key) ? [this.inFlight.get(key)!] : [])]
        if (!allowed.includes(found)) wrong.push(`${key}: found ${found}, acknowledged ${this.acknowledged.get(key) ?? null}`)
        this.acknowledged.set(key, found)
      }
    }
    this.inFlight.clear()
    return wrong
  }
}

/** One client: PUTs (and every tenth request a DELETE) over its own keys, one request at a time, until the server dies. */
async function client(server: Server, id: number, round: number, expected: Expected, random: () => number): Promise<void> {
  for (let n = 0; ; n++) {
    const key = `c${id}-${Math.floor(random() * KEYS_PER_CLIENT)}`
    const value = random() < 0.1 ? null : `round ${round} request ${n}`
    expected.inFlight.set(key, value)
    try {
      const response =
        value === null
          ? await fetch(`${server.url}/v1/kv/${key}`, { method: 'DELETE' })
          : await fetch(`${server.url}/v1/kv/${key}`, { method: 'PUT', ...json(value) })
      if (response.status !== 201 && response.status !== 200 && response.status !== 204 && response.status !== 404) {
        throw new Error(`${key}: unexpected ${response.status} ${await response.text()}`)
      }
      expected.acknowledged.set(key, value)
      expected.inFlight.delete(key)
    } catch (error) {
      if (killed.has(server)) return // this request stays in flight
      throw error
    }
  }
}

/** Snapshots back to back (on top of --snapshot-interval), so most kills land in one. */
async function snapshots(server: Server): Promise<number> {
  let taken = 0
  for (;;) {
    try {
      const response = await fetch(`${server.url}/v1/admin/snapshot`, { method: 'POST' })
      if (response.status === 200) taken++
      else throw new Error(`snapshot: unexpected ${response.status} ${await response.text()}`)
    } catch (error) {
      if (killed.has(server)) return taken
      throw error
    }
  }
}

test(`${KILLS} kill -9 at random moments during writes and snapshots: each plain start has every acknowledged write`, async () => {
  const kills = new Rng(seed)
  const killMoment = () => kills.float()
  // The clients draw from their own generator: their draws depend on timing, the kill moments must not.
  const clients = new Rng(seed ^ 0x5bd1e995)
  const clientRandom = () => clients.float()
  const dir = mkdtempSync(join(workDir, 'crash-loop-'))
  const args = ['--data-dir', dir, '--fsync', 'always', '--snapshot-interval', '50ms']
  const expected = new Expected()
  let snapshotsTaken = 0
  for (let round = 0; round <= KILLS; round++) {
    const server = await start(args)
    expect({ round, wrong: await expected.check(server) }).toEqual({ round, wrong: [] })
    if (round === 0) {
      // Enough data that a snapshot takes a while (~4 MB).
      for (let batch = 0; batch < PRELOADED / 500; batch++) {
        const ops = Array.from({ length: 500 }, (_, i) => ({ op: 'set', key: `pre-${batch}-${i}`, value: `${batch}-${i} `.repeat(100) }))
        const response = await fetch(`${server.url}/v1/batch`, { method: 'POST', ...json({ ops }) })
        expect(response.status).toBe(200)
        for (const op of ops) expected.acknowledged.set(op.key, op.value)
      }
    }
    if (round === KILLS) {
      expect(await stop(server)).toBe(0)
      break
    }
    const clients = Array.from({ length: CLIENTS }, (_, id) => client(server, id, round, expected, clientRandom))
    const traffic = Promise.all([snapshots(server), ...clients])
    await Bun.sleep(20 + Math.floor(killMoment() * 400))
    killed.add(server)
    await stop(server, 'SIGKILL')
    const [taken] = await traffic
    snapshotsTaken += taken
  }
  console.log(`crash loop: ${KILLS} kills, ${snapshotsTaken} snapshots taken, ${expected.acknowledged.size} keys checked after each`)
  expect(snapshotsTaken).toBeGreaterThan(KILLS)
}, 90_000)
