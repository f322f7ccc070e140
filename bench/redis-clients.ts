// Which Redis client for the shared tier (issue #7): Bun's built-in RedisClient against ioredis, on
// the same redis-server, alternating rounds. GETs and SETs of 100-byte values with 64 requests in
// flight (how a busy server drives its tier), and an EVALSHA, which every conditional write uses.
// Usage: bun run bench/redis-clients.ts [requests=100000] [rounds=5]
import { RedisClient } from 'bun'
import Redis from 'ioredis'
import { cpus } from 'node:os'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, scratchDir, start, stop, waitUntil } from './http/procs'
import { median } from './http/stats'

const requests = Number(process.argv[2] ?? 100_000)
const rounds = Number(process.argv[3] ?? 5)
const IN_FLIGHT = 64
const KEYS = 10_000
const value = 'v'.repeat(100)
const SCRIPT = "local v = redis.call('GET', KEYS[1]) if v then return v end return false"

type Op = (i: number) => Promise<unknown>

async function drive(op: Op): Promise<number> {
  let next = 0
  const started = performance.now()
  const worker = async () => {
    while (next < requests) await op(next++ % KEYS)
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  return requests / ((performance.now() - started) / 1000)
}

const dir = scratchDir('bench-redis-clients-')
const port = freePort()
const server = start(['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir])
try {
  const bun = new RedisClient(`redis://127.0.0.1:${port}`, { enableOfflineQueue: false })
  const io = new Redis(port, '127.0.0.1', { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true })
  await waitUntil('redis-server', server, async () => {
    try {
      await io.connect()
      return true
    } catch {
      return false
    }
  })
  await bun.connect()
  for (let i = 0; i < KEYS; i++) await io.set(`key:${i}`, value)
  const sha = (await io.script('LOAD', SCRIPT)) as string
  const ops: Record<string, Record<'bun' | 'ioredis', Op>> = {
    GET: { bun: (i) => bun.get(`key:${i}`), ioredis: (i) => io.get(`key:${i}`) },
    SET: { bun: (i) => bun.set(`key:${i}`, value), ioredis: (i) => io.set(`key:${i}`, value) },
    EVALSHA: { bun: (i) => bun.send('EVALSHA', [sha, '1', `key:${i}`]), ioredis: (i) => io.evalsha(sha, 1, `key:${i}`) },
  }
  const lines = ['| operation | Bun RedisClient ops/s | ioredis ops/s | Bun ÷ ioredis |', '|---|--:|--:|--:|']
  for (const [name, clients] of Object.entries(ops)) {
    const results = { bun: [] as number[], ioredis: [] as number[], ratio: [] as number[] }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['bun', 'ioredis'] as const) : (['ioredis', 'bun'] as const)
      const got: Record<string, number> = {}
      for (const client of order) got[client] = await drive(clients[client])
      results.bun.push(got.bun!)
      results.ioredis.push(got.ioredis!)
      results.ratio.push(got.bun! / got.ioredis!)
    }
    lines.push(
      `| ${name} | ${Math.round(median(results.bun)).toLocaleString('en')} | ${Math.round(median(results.ioredis)).toLocaleString('en')} | ${median(results.ratio).toFixed(2)}× |`,
    )
    console.log(lines.at(-1))
  }
  bun.close()
  io.disconnect()
  const report = [
    '# Redis clients: Bun’s RedisClient against ioredis',
    '',
    `Command: \`bun run bench/redis-clients.ts ${requests} ${rounds}\` (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC), ${cpus().length} cores, Bun ${Bun.version}, one local redis-server without persistence.`,
    `Each cell: ${requests.toLocaleString('en')} requests over ${KEYS.toLocaleString('en')} keys with ${IN_FLIGHT} in flight, the median of ${rounds} rounds, the clients taking turns; the ratio is the median of the per-round ratios.`,
    '',
    ...lines,
    '',
  ].join('\n')
  writeFileSync(join(import.meta.dir, 'RESULTS-redis-clients.md'), report)
} finally {
  await stop(server)
}
