// The memory bound under overload: an engine bounded to `bound` bytes, written with `factor` times
// the bound in values of one size over a key set that many times larger than what fits (uniform
// keys, as bench:soak writes), in a fresh process. Resident memory is compared with the process's
// own idle RSS (the engine made and warmed, nothing stored).
//
// The loop makes garbage of its own (a key string per write, the result objects the API returns);
// an eden collection every 8,192 writes keeps it from piling up, but the runtime's allocator keeps
// some of the pages it freed. The same loop without an engine ('churn') measures that part.
import { edenGC } from 'bun:jsc'
import { CacheEngine } from '../../src/cache'
import { peakOwnRss, settledOwnRss } from './settle'
import { Rng } from '../hitratio/prng'

export interface OverloadConfig {
  bound: number
  valueBytes: number
  factor: number
  /** 'churn': the same loop with no engine, to measure what its garbage alone leaves in RSS. */
  store: 'engine' | 'churn'
}

export interface OverloadResult {
  idleRss: number
  /** Highest RSS sampled during the writes (every 1/256 of them), and the peak the kernel recorded (VmHWM). */
  maxRss: number
  peakRss: number
  /** RSS after the writes, settled. */
  endRss: number
  /** Highest charged bytes, sampled every 64 writes (the tests check every write). */
  maxCharged: number
  /** What the engine holds by its own count: arena, slot arrays, index (not the policy's arrays). */
  arenaBytes: number
  items: number
  writes: number
  evictions: number
  movedBytes: number
  seconds: number
}

/** Where the churn loop puts what it makes, so the compiler cannot leave it unmade. */
export let lastMade: unknown

export async function overload(config: OverloadConfig): Promise<OverloadResult> {
  const { bound, valueBytes, factor } = config
  const engine = config.store === 'engine' ? new CacheEngine({ maxBytes: bound, sweepIntervalMs: 0 }) : undefined
  const value = new Uint8Array(valueBytes)
  for (let i = 0; i < valueBytes; i++) value[i] = (i * 31) & 0xff
  engine?.set('warm-up', value, 'application/octet-stream')
  engine?.delete('warm-up')
  const idleRss = await settledOwnRss()
  const keySpace = Math.ceil((factor * bound) / valueBytes)
  const writes = Math.ceil((factor * bound) / valueBytes)
  const sampleEvery = Math.max(1, Math.floor(writes / 256))
  const rng = new Rng(0x2545f491)
  let maxRss = idleRss
  let maxCharged = 0
  let sink = 0
  const started = performance.now()
  for (let i = 0; i < writes; i++) {
    value[0] = i & 0xff
    const key = `key:${Math.floor(rng.float() * keySpace)}`
    if (engine) {
      engine.set(key, value, 'application/octet-stream')
      if ((i & 63) === 0) maxCharged = Math.max(maxCharged, engine.stats().bytes)
    } else {
      // What set() hands back, made and dropped; the key read as the engine reads it (which flattens it).
      sink += key.charCodeAt(key.length - 1)
      lastMade = { status: 'created', version: i, expiresAt: null, staleAt: null }
    }
    if ((i & 8191) === 0) edenGC()
    if (i % sampleEvery === 0) maxRss = Math.max(maxRss, process.memoryUsage().rss)
  }
  const seconds = (performance.now() - started) / 1000
  const memory = engine?.memory()
  const stats = engine?.stats()
  const endRss = await settledOwnRss()
  if (!engine && sink === 0) throw new Error('the churn loop did nothing')
  return {
    idleRss,
    maxRss: Math.max(maxRss, endRss),
    peakRss: await peakOwnRss(),
    endRss,
    maxCharged,
    arenaBytes: memory?.arenaBytes ?? 0,
    items: stats?.items ?? 0,
    writes,
    evictions: stats?.evictions ?? 0,
    movedBytes: memory?.movedBytes ?? 0,
    seconds,
  }
}
