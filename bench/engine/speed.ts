// Operations per second: the engine (W-TinyLFU, by bytes) against lru-cache bounded by entry count,
// in one process, round by round in turns (A B A B ...) so a busy spell of the shared machine hits
// both alike. 100-byte values; lru-cache keeps a reference to the caller's array, the engine copies
// the bytes in on set and out on get (a value handed out must not change later).
import { LRUCache } from 'lru-cache'
import { CacheEngine, ENTRY_OVERHEAD_BYTES } from '../../src/cache'
import { KEY_PREFIX } from '../http/preload'
import { Rng } from '../hitratio/prng'

export interface SpeedConfig {
  entries: number
  rounds: number
  operations: number
}

export type Contestant = 'engine' | 'lru-cache'
export const WORKLOADS = ['get, keys reused', 'get, keys made per call', 'set, replacing', 'set, evicting'] as const
export type Workload = (typeof WORKLOADS)[number]
/** Operations per second of each round, per workload and contestant. */
export type SpeedResult = Record<Workload, Record<Contestant, number[]>>

const VALUE_BYTES = 100
const TYPE = 'application/octet-stream'

export function speed(config: SpeedConfig): SpeedResult {
  const { entries, operations } = config
  const keys = Array.from({ length: 2 * entries }, (_, i) => KEY_PREFIX + i)
  const rng = new Rng(42)
  // Key numbers drawn up front, uniform over the stored keys (or twice as many, for evicting sets).
  const present = Uint32Array.from({ length: operations }, () => Math.floor(rng.float() * entries))
  const wider = Uint32Array.from({ length: operations }, () => Math.floor(rng.float() * 2 * entries))
  const value = new Uint8Array(VALUE_BYTES).fill(7)
  const charge = KEY_PREFIX.length + String(entries).length + VALUE_BYTES + ENTRY_OVERHEAD_BYTES

  const engine = new CacheEngine({ maxBytes: Number.MAX_SAFE_INTEGER, sweepIntervalMs: 0 })
  const lru = new LRUCache<string, Uint8Array>({ max: 2 * entries })
  for (let i = 0; i < entries; i++) {
    engine.set(keys[i]!, value, TYPE)
    lru.set(keys[i]!, value)
  }
  // The evicting runs start from full caches of `entries` entries over a key space twice that.
  const bounded = new CacheEngine({ maxBytes: entries * charge, sweepIntervalMs: 0 })
  const boundedLru = new LRUCache<string, Uint8Array>({ max: entries })
  for (let i = 0; i < entries; i++) {
    bounded.set(keys[i]!, value, TYPE)
    boundedLru.set(keys[i]!, value)
  }

  let sink = 0
  const runs: Record<Workload, Record<Contestant, () => void>> = {
    'get, keys reused': {
      engine: () => {
        for (let i = 0; i < operations; i++) sink += engine.get(keys[present[i]!]!)!.value.byteLength
      },
      'lru-cache': () => {
        for (let i = 0; i < operations; i++) sink += lru.get(keys[present[i]!]!)!.byteLength
      },
    },
    'get, keys made per call': {
      engine: () => {
        for (let i = 0; i < operations; i++) sink += engine.get(KEY_PREFIX + present[i]!)!.value.byteLength
      },
      'lru-cache': () => {
        for (let i = 0; i < operations; i++) sink += lru.get(KEY_PREFIX + present[i]!)!.byteLength
      },
    },
    'set, replacing': {
      engine: () => {
        for (let i = 0; i < operations; i++) engine.set(keys[present[i]!]!, value, TYPE)
      },
      'lru-cache': () => {
        for (let i = 0; i < operations; i++) lru.set(keys[present[i]!]!, value)
      },
    },
    'set, evicting': {
      engine: () => {
        for (let i = 0; i < operations; i++) bounded.set(keys[wider[i]!]!, value, TYPE)
      },
      'lru-cache': () => {
        for (let i = 0; i < operations; i++) boundedLru.set(keys[wider[i]!]!, value)
      },
    },
  }

  const result = Object.fromEntries(WORKLOADS.map((w) => [w, { engine: [], 'lru-cache': [] }])) as unknown as SpeedResult
  // One warm-up round of everything, then the counted rounds, contestants taking turns.
  for (let round = 0; round <= config.rounds; round++) {
    for (const workload of WORKLOADS) {
      for (const contestant of ['engine', 'lru-cache'] as const) {
        const started = performance.now()
        runs[workload][contestant]()
        const seconds = (performance.now() - started) / 1000
        if (round > 0) result[workload][contestant].push(operations / seconds)
      }
    }
  }
  if (sink === 0) throw new Error('no value was read')
  return result
}
