/**
 * Measures what one cache entry really costs beyond its key and value bytes, to ground
 * ENTRY_OVERHEAD_BYTES, and compares it with a bare Map<string, Uint8Array> holding the same data.
 *
 *   bun run bench/engine-memory.ts [entries=1000000] [runs=3]
 *
 * Every measurement runs in a fresh child process: heap and RSS never shrink cleanly after a big
 * free, so measuring several stores in one process would let each one inherit the last one's slack.
 */
import { edenGC, heapStats } from 'bun:jsc'
import { CacheEngine, ENTRY_OVERHEAD_BYTES } from '../src/cache'
import { readBody } from '../src/http/body'

type Store = 'map' | 'engine'
/** 'request': bodies read by the HTTP layer's readBody, exactly what PUT hands the engine; 'alloc': new Uint8Array. */
type Source = 'request' | 'alloc'

interface Config {
  source: Source
  keyBytes: number
  valueBytes: number
  /**
   * 'afterGrowth' measures just past a power of two, where the engine's slot arrays (and the Map's
   * table) have just doubled and are half empty: the worst per-entry cost, which the charge must cover.
   */
  count?: 'afterGrowth'
}

interface Sample {
  heap: number // heapSize growth per entry (JSC cells plus reported extra memory such as malloc'd buffers)
  extra: number // the extraMemorySize part of heap
  rss: number // process RSS growth per entry
  objects: number // GC cells per entry: 3 = key string + Uint8Array (counted as 2); the engine adds none
}

const CONFIGS: Config[] = [
  { source: 'request', keyBytes: 12, valueBytes: 16 },
  { source: 'request', keyBytes: 12, valueBytes: 100 },
  { source: 'request', keyBytes: 64, valueBytes: 16 },
  { source: 'request', keyBytes: 64, valueBytes: 100 },
  { source: 'request', keyBytes: 12, valueBytes: 100, count: 'afterGrowth' },
  { source: 'alloc', keyBytes: 12, valueBytes: 100 },
]
const STORES: Store[] = ['map', 'engine']

/** Fixed-width `key:<i>`, so every key has exactly keyBytes ASCII bytes. */
function keyOf(i: number, keyBytes: number): string {
  // decodeURIComponent is what keyFromPath applies; it also returns a flat string, where a bare
  // concatenation would leave a rope cell (bigger than a flat one) behind in the map.
  return decodeURIComponent(`key:${String(i).padStart(keyBytes - 4, '0')}`)
}

let seed = 0x9e3779b9
/** Cheap xorshift bytes: the content does not change the memory cost, but zeros could look special. */
function fill(bytes: Uint8Array): Uint8Array {
  for (let i = 0; i < bytes.length; i++) {
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    bytes[i] = seed & 0xff
  }
  return bytes
}

function snapshot() {
  Bun.gc(true)
  const h = heapStats()
  return { heap: h.heapSize, extra: h.extraMemorySize, objects: h.objectCount, rss: process.memoryUsage().rss }
}

async function measure(store: Store, config: Config, n: number): Promise<Sample> {
  const scratch = fill(new Uint8Array(config.valueBytes))
  // Warm the code paths once so their one-off allocations are not charged to the entries.
  await readBody(new Request('http://cache/', { method: 'PUT', body: scratch }), Infinity)
  const engine = store === 'engine' ? new CacheEngine({ maxBytes: Number.MAX_SAFE_INTEGER, sweepIntervalMs: 0 }) : undefined
  const map = store === 'map' ? new Map<string, Uint8Array>() : undefined
  const before = snapshot()
  for (let i = 0; i < n; i++) {
    const key = keyOf(i, config.keyBytes)
    const value =
      config.source === 'request'
        ? await readBody(new Request('http://cache/', { method: 'PUT', body: fill(scratch) }), Infinity)
        : fill(new Uint8Array(config.valueBytes))
    // Young garbage (request objects, key temporaries) never reaches the heap numbers, which are
    // taken after a full GC, but its pages would stay in RSS; frequent cheap eden GCs keep it small.
    if ((i & 8191) === 0) edenGC()
    if (engine) engine.set(key, value, 'application/octet-stream')
    else map!.set(key, value)
  }
  const after = snapshot()
  // Read the stores after the snapshot so the GC cannot treat them as dead while measuring.
  const items = engine ? engine.stats().items : map!.size
  if (items !== n || (engine && engine.stats().evictions > 0)) throw new Error(`expected ${n} live entries, found ${items}`)
  const per = (k: 'heap' | 'extra' | 'objects' | 'rss') => (after[k] - before[k]) / n
  return { heap: per('heap'), extra: per('extra'), rss: per('rss'), objects: per('objects') }
}

function round(x: number, digits = 0): number {
  return Number(x.toFixed(digits))
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

async function runChild(store: Store, config: Config, n: number): Promise<Sample> {
  const args = ['--child', store, config.source, String(config.keyBytes), String(config.valueBytes), String(n)]
  const child = Bun.spawn([process.execPath, import.meta.path, ...args], { stdout: 'pipe', stderr: 'inherit' })
  const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited])
  if (code !== 0) throw new Error(`child ${args.join(' ')} failed with ${code}`)
  return JSON.parse(out) as Sample
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--child') {
    const [, store, source, keyBytes, valueBytes, n] = argv
    const sample = await measure(
      store as Store,
      { source: source as Source, keyBytes: Number(keyBytes), valueBytes: Number(valueBytes) },
      Number(n),
    )
    process.stdout.write(JSON.stringify(sample))
    return
  }
  const n = Number(argv[0] ?? 1_000_000)
  const runs = Number(argv[1] ?? 3)
  if (!Number.isSafeInteger(n) || n < 2 || !Number.isSafeInteger(runs) || runs < 1)
    throw new Error('usage: engine-memory.ts [entries] [runs]')
  const afterGrowth = 2 ** (Math.ceil(Math.log2(n)) - 1) + 1
  const countOf = (config: Config) => (config.count === 'afterGrowth' ? afterGrowth : n)

  const jobs: { config: Config; store: Store; samples: Sample[] }[] = CONFIGS.flatMap((config) =>
    STORES.map((store) => ({ config, store, samples: [] })),
  )
  // Runs go round-robin over the table rows, not row after row, so a noisy spell on the shared machine
  // smears across all of them instead of skewing one. Memory counts do not depend on timing, so two
  // children may share the CPU: that keeps the whole run inside the time budget at ~2 x 0.8 GB peak.
  const queue = Array.from({ length: runs }, () => jobs).flat()
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) job.samples.push(await runChild(job.store, job.config, countOf(job.config)))
  }
  await Promise.all([worker(), worker()])

  console.log(
    `Bun ${Bun.version}, ${navigator.hardwareConcurrency} cores; median of ${runs} runs; ENTRY_OVERHEAD_BYTES = ${ENTRY_OVERHEAD_BYTES}`,
  )
  console.log('Bytes per entry. overhead = growth - key bytes - value bytes; heap = JSC heapSize (GC cells + extraMemorySize).\n')
  console.log(
    '| values | entries | key B | value B | store | heap growth | heap overhead | of which extra | RSS growth | RSS overhead | GC cells | engine / map (heap overhead) |',
  )
  console.log('|---|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|')
  let mapOverhead = 0
  for (const { config, store, samples } of jobs) {
    const payload = config.keyBytes + config.valueBytes
    const med = (k: 'heap' | 'extra' | 'rss' | 'objects') => median(samples.map((s) => s[k]))
    const overhead = med('heap') - payload
    if (store === 'map') mapOverhead = overhead
    const ratio = store === 'engine' ? `${(overhead / mapOverhead).toFixed(2)}x` : ''
    console.log(
      `| ${config.source} | ${countOf(config)} | ${config.keyBytes} | ${config.valueBytes} | ${store} | ${round(med('heap'))} | ${round(overhead)} | ` +
        `${round(med('extra'))} | ${round(med('rss'))} | ${round(med('rss') - payload)} | ${round(med('objects'), 2)} | ${ratio} |`,
    )
  }
}

await main(process.argv.slice(2))
