// Hash flooding: what keys chosen against the key hash cost the engine, with the hash unseeded (seed 0,
// which is what every engine used before seeds) and with the random seed each engine now draws.
// The attack keys are those whose seed-0 hash has its low 22 bits below 4096: in any index of 4,096 to
// 4M buckets they all start probing in the same 4,096, and linear probing makes them one long run.
// Given fastcache binaries, it also sends both key sets to each over HTTP (PUT, then GET, 32 requests in
// flight from a fetch client on the same machine), e.g. this build's and one built before seeds.
// Usage: bun run bench/hash-flooding.ts [keys=20000] [rounds=3] [binary...]
import { writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { CacheEngine } from '../src/cache'
import { hashKey } from '../src/cache/key-hash'
import { median } from './http/stats'
import { freePort, installSignalHandlers, start, stop } from './http/procs'

const keys = Number(process.argv[2] ?? 20_000)
const rounds = Number(process.argv[3] ?? 3)
const binaries = process.argv.slice(4)
const TYPE = 'application/octet-stream'
const value = new Uint8Array(100)

const generating = performance.now()
const flood: string[] = []
let tried = 0
for (; flood.length < keys; tried++) {
  const key = `f${tried.toString(36)}`
  if ((hashKey(key, 0) & 0x3fffff) < 4096) flood.push(key)
}
const generateMs = performance.now() - generating
// Made again side by side in memory, as the ordinary keys are: the ones kept were made among 1,023
// discarded strings each, and reading them scattered would cost cache misses the hash has no part in.
flood.splice(0, flood.length, ...flood.map((key) => Array.from(key).join('')))
// Ordinary keys of the same shape.
const plain = Array.from({ length: keys }, (_, i) => `f${(i * 7919).toString(36)}x`)

/** Microseconds per set and per get over all the keys, in a fresh engine. */
function run(keySet: string[], hashSeed: number | undefined): { set: number; get: number } {
  const engine = new CacheEngine({ maxBytes: 2 ** 40, sweepIntervalMs: 0, hashSeed })
  let started = performance.now()
  for (const key of keySet) engine.set(key, value, TYPE)
  const set = ((performance.now() - started) * 1000) / keySet.length
  started = performance.now()
  for (const key of keySet) engine.get(key)
  const get = ((performance.now() - started) * 1000) / keySet.length
  engine.close()
  return { set, get }
}

const cases = [
  { name: 'ordinary keys, seed 0 (as before)', keys: plain, seed: 0 },
  { name: '**attack keys, seed 0 (as before)**', keys: flood, seed: 0 },
  { name: 'ordinary keys, random seed (now)', keys: plain, seed: undefined },
  { name: '**attack keys, random seed (now)**', keys: flood, seed: undefined },
]
const samples = cases.map(() => ({ set: [] as number[], get: [] as number[] }))
// Warm-up round, then the counted rounds, the cases in turn so a busy spell of the machine hits all alike.
run(plain, 0)
for (let round = 0; round < rounds; round++) {
  cases.forEach((c, i) => {
    const { set, get } = run(c.keys, c.seed)
    samples[i]!.set.push(set)
    samples[i]!.get.push(get)
  })
}
const baseline = median(samples[0]!.get)
const rows = cases.map((c, i) => {
  const set = median(samples[i]!.set)
  const get = median(samples[i]!.get)
  return `| ${c.name} | ${set.toFixed(2)} | ${get.toFixed(2)} | ${(get / baseline).toFixed(1)}× |`
})
/** Requests per second of PUT and then GET of every key, against a fresh server. */
async function overHttp(binary: string, keySet: string[]): Promise<{ put: number; get: number }> {
  const port = freePort()
  const base = `http://127.0.0.1:${port}`
  const server = start([binary, '--port', String(port)])
  try {
    for (
      let tries = 0;
      !(await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      ));
      tries++
    ) {
      if (tries > 100) throw new Error(`${binary} did not start`)
      await Bun.sleep(50)
    }
    const body = 'x'.repeat(100)
    const rate = async (method: 'PUT' | 'GET') => {
      const started = performance.now()
      let next = 0
      const client = async () => {
        while (next < keySet.length) {
          const response = await fetch(`${base}/v1/kv/${keySet[next++]}`, method === 'PUT' ? { method, body } : {})
          await response.arrayBuffer()
        }
      }
      await Promise.all(Array.from({ length: 32 }, client))
      return keySet.length / ((performance.now() - started) / 1000)
    }
    return { put: await rate('PUT'), get: await rate('GET') }
  } finally {
    await stop(server)
  }
}

const httpRows: string[] = []
if (binaries.length > 0) {
  installSignalHandlers('bench/hash-flooding.ts')
  for (const binary of binaries) {
    const runs = { plain: [] as { put: number; get: number }[], flood: [] as { put: number; get: number }[] }
    for (let round = 0; round < rounds; round++) {
      runs.plain.push(await overHttp(binary, plain))
      runs.flood.push(await overHttp(binary, flood))
    }
    const of = (list: { put: number; get: number }[], pick: 'put' | 'get') => median(list.map((r) => r[pick]))
    const cell = (pick: 'put' | 'get') =>
      `${Math.round(of(runs.plain, pick)).toLocaleString('en')} | ${Math.round(of(runs.flood, pick)).toLocaleString('en')} | ${(of(runs.flood, pick) / of(runs.plain, pick)).toFixed(2)}×`
    httpRows.push(`| \`${binary}\` | ${cell('put')} | ${cell('get')} |`)
  }
}

const report = [
  '# Hash flooding: keys aimed at one probe run of the index',
  '',
  `Command: \`bun run bench/hash-flooding.ts ${keys} ${rounds}\` (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC), ${cpus().length} cores, Bun ${Bun.version}, the engine in one process.`,
  '',
  `${keys.toLocaleString('en')} attack keys: those whose seed-0 hash has its low 22 bits below 4,096 (1 in 1,024 candidate`,
  `keys; finding them took ${(generateMs / 1000).toFixed(1)} s in JS here, ${tried.toLocaleString('en')} hashes). ${keys.toLocaleString('en')} ordinary keys of the same`,
  `shape for comparison. Each cell: microseconds per operation over all the keys in a fresh engine, the median of ${rounds} rounds.`,
  '',
  '| keys, hash | set µs | get µs | get ÷ ordinary |',
  '|---|--:|--:|--:|',
  ...rows,
  '',
  'Before seeds, every engine hashed with seed 0, so keys found offline hit every server alike: each',
  'lookup walks the run of all of them, and the cost grows with the number of attack keys (the total work',
  'of writing them is quadratic). With a random seed per engine the same keys spread like any others.',
  '',
  ...(httpRows.length === 0
    ? []
    : [
        '## Over HTTP',
        '',
        `Each binary started fresh per run; every key PUT (100 B), then every key GET, 32 requests in flight from a fetch`,
        `client on the same machine; requests per second, the median of ${rounds} runs of each key set.`,
        '',
        '| binary | PUT/s ordinary | PUT/s attack | ratio | GET/s ordinary | GET/s attack | ratio |',
        '|---|--:|--:|--:|--:|--:|--:|',
        ...httpRows,
        '',
      ]),
].join('\n')
writeFileSync(join(import.meta.dir, 'RESULTS-hash-flooding.md'), report)
process.stdout.write(report)
