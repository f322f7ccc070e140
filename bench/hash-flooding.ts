// Hash flooding: what keys chosen against the key hash cost the engine, with the hash unseeded (seed 0,
// which is what every engine used before seeds) and with the random seed each engine now draws.
// The attack keys are those whose seed-0 hash has its low 22 bits below 4096: in any index of 4,096 to
// 4M buckets they all start probing in the same 4,096, and linear probing makes them one long run.
// Usage: bun run bench/hash-flooding.ts [keys=20000] [rounds=3]
import { writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { CacheEngine } from '../src/cache'
import { hashKey } from '../src/cache/key-hash'
import { median } from './http/stats'

const keys = Number(process.argv[2] ?? 20_000)
const rounds = Number(process.argv[3] ?? 3)
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
].join('\n')
writeFileSync(join(import.meta.dir, 'RESULTS-hash-flooding.md'), report)
process.stdout.write(report)
