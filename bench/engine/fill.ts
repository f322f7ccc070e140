// Memory per entry: one store filled with n entries in a fresh process, growth divided by n.
import { edenGC, heapStats } from 'bun:jsc'
import { CacheEngine } from '../../src/cache'
import { KEY_PREFIX, valueFor } from '../http/preload'
import { settledOwnRss } from './settle'

export type Store = 'engine' | 'map'

export interface FillConfig {
  store: Store
  entries: number
  /** 'redis': the keys and values bench:http loads into Redis (key:<i>, valueFor(i, size)); else fixed-width keys of this many bytes. */
  keys: 'redis' | number
  valueBytes: number
}

export interface FillResult {
  /** Growth per entry: RSS, JSC heap (cells plus extra memory such as ArrayBuffers), GC objects. */
  rss: number
  heap: number
  objects: number
  /** Per entry: the engine's charge, and its arena's bytes (segments) and live record bytes. */
  charged: number
  arena: number
  liveRecords: number
  /** Mean key bytes per entry (UTF-8). */
  keyBytes: number
  seconds: number
}

const encoder = new TextEncoder()

function keyOf(i: number, keys: 'redis' | number): string {
  if (keys === 'redis') return KEY_PREFIX + i
  // decodeURIComponent returns a flat string, as keyFromPath does; a concatenation would stay a rope.
  return decodeURIComponent(`key:${String(i).padStart(keys - 4, '0')}`)
}

function heap() {
  Bun.gc(true)
  const stats = heapStats()
  return { heap: stats.heapSize, objects: stats.objectCount }
}

export async function fill(config: FillConfig): Promise<FillResult> {
  const { entries, valueBytes } = config
  const scratch = new Uint8Array(valueBytes)
  const engine = config.store === 'engine' ? new CacheEngine({ maxBytes: Number.MAX_SAFE_INTEGER, sweepIntervalMs: 0 }) : undefined
  const map = config.store === 'map' ? new Map<string, Uint8Array>() : undefined
  // Run the write path once so its one-off allocations (compiled code, tables) are not charged to entries.
  engine?.set('warm-up', scratch, 'application/octet-stream')
  engine?.delete('warm-up')
  const rssBefore = await settledOwnRss()
  const before = heap()
  let keyBytes = 0
  const started = performance.now()
  for (let i = 0; i < entries; i++) {
    const key = keyOf(i, config.keys)
    keyBytes += key.length
    const value = valueFor(i, valueBytes)
    // The loop's young garbage (key and value strings) never reaches the heap figures, taken after a
    // full collection, but its pages would stay in RSS: frequent cheap eden collections keep it small.
    if ((i & 8191) === 0) edenGC()
    if (engine) {
      encoder.encodeInto(value, scratch)
      engine.set(key, scratch, 'application/octet-stream')
    } else map!.set(key, encoder.encode(value))
  }
  const seconds = (performance.now() - started) / 1000
  const after = heap()
  const rssAfter = await settledOwnRss()
  // Read the stores after measuring, so the collector cannot treat them as dead while it runs.
  const items = engine ? engine.stats().items : map!.size
  if (items !== entries) throw new Error(`expected ${entries} entries, found ${items}`)
  const memory = engine?.memory()
  return {
    rss: (rssAfter - rssBefore) / entries,
    heap: (after.heap - before.heap) / entries,
    objects: (after.objects - before.objects) / entries,
    charged: engine ? engine.stats().bytes / entries : Number.NaN,
    arena: memory ? memory.arenaBytes / entries : Number.NaN,
    liveRecords: memory ? memory.liveRecordBytes / entries : Number.NaN,
    keyBytes: keyBytes / entries,
    seconds,
  }
}
