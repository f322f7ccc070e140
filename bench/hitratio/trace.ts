/**
 * A trace as every policy sees it: dense key ids (0..keyCount-1 in order of first appearance),
 * a fixed weight per key, and each request's next use (for the offline policies).
 */

/** Keys are fixed-width decimal strings, so in entry-count traces every entry weighs the same. */
export const KEY_BYTES = 10

export interface Trace {
  name: string
  /** The key id of each request. */
  ids: Int32Array
  keyCount: number
  /** Bytes charged per key: KEY_BYTES plus its value's size (0 for entry-count traces). */
  weights: Float64Array
  /** Whether values have sizes (byte-budget trace) or are all empty (entry-count trace). */
  sized: boolean
  /** For each request, the index of the next request to the same key, or ids.length if none. */
  nextUse: Int32Array
  /** Sum of the weights of all distinct keys. */
  distinctBytes: number
  /** Requests whose size differs from their key's first size (which is the one kept). */
  sizeChanges: number
}

/**
 * Builds a trace from raw keys and, for sized traces, each request's object size. A key keeps the
 * size of its first request: objects have one size, so every policy and bound sees the same objects.
 */
export function buildTrace(name: string, rawKeys: ArrayLike<number>, rawSizes?: ArrayLike<number>): Trace {
  const n = rawKeys.length
  const ids = new Int32Array(n)
  const dense = new Map<number, number>()
  const sizes: number[] = []
  let sizeChanges = 0
  for (let i = 0; i < n; i++) {
    const raw = rawKeys[i]!
    let id = dense.get(raw)
    if (id === undefined) {
      id = dense.size
      dense.set(raw, id)
      sizes.push(rawSizes ? rawSizes[i]! : 0)
    } else if (rawSizes && rawSizes[i] !== sizes[id]) sizeChanges++
    ids[i] = id
  }
  const keyCount = dense.size
  const weights = new Float64Array(keyCount)
  let distinctBytes = 0
  for (let k = 0; k < keyCount; k++) {
    weights[k] = KEY_BYTES + sizes[k]!
    distinctBytes += weights[k]!
  }
  return { name, ids, keyCount, weights, sized: rawSizes !== undefined, nextUse: nextUses(ids, keyCount), distinctBytes, sizeChanges }
}

function nextUses(ids: Int32Array, keyCount: number): Int32Array {
  const next = new Int32Array(ids.length)
  const seen = new Int32Array(keyCount).fill(ids.length)
  for (let i = ids.length - 1; i >= 0; i--) {
    const k = ids[i]!
    next[i] = seen[k]!
    seen[k] = i
  }
  return next
}

/** The key of id `id` as the string caches store: zero-padded to KEY_BYTES digits. */
export function keyString(id: number): string {
  return String(id).padStart(KEY_BYTES, '0')
}

const keyTables = new WeakMap<Trace, string[]>()

/** Every key of a trace as a string, built once per trace and shared by the string-keyed caches. */
export function keyStrings(trace: Trace): string[] {
  let table = keyTables.get(trace)
  if (!table) {
    table = Array.from({ length: trace.keyCount }, (_, id) => keyString(id))
    keyTables.set(trace, table)
  }
  return table
}

/**
 * A value of `weight - KEY_BYTES` bytes for the string-keyed caches: a zero-copy view of one buffer as
 * large as the trace's largest object, so stored values cost no memory.
 */
export function valueFor(trace: Trace): (weight: number) => Uint8Array {
  let largest = 0
  for (const weight of trace.weights) largest = Math.max(largest, weight - KEY_BYTES)
  const shared = new Uint8Array(largest)
  return (weight) => shared.subarray(0, weight - KEY_BYTES)
}
