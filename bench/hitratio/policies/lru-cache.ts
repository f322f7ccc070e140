import { LRUCache } from 'lru-cache'
import { KEY_BYTES, keyStrings } from '../trace'
import type { Policy, PolicyContext } from './types'

/**
 * The `lru-cache` npm package as a peer, bounded by the same bytes as every policy here
 * (maxSize, with sizeCalculation = key + value bytes) and driven like the engine: get, set on a miss.
 */
export function createLruCachePackage({ capacity, trace }: PolicyContext): Policy {
  const cache = new LRUCache<string, Uint8Array>({
    maxSize: capacity,
    sizeCalculation: (value, key) => key.length + value.byteLength,
  })
  const keys = keyStrings(trace)
  let largest = 0
  for (const weight of trace.weights) largest = Math.max(largest, weight - KEY_BYTES)
  const shared = new Uint8Array(largest)
  return {
    access(key, weight) {
      const name = keys[key]!
      if (cache.get(name) !== undefined) return true
      cache.set(name, shared.subarray(0, weight - KEY_BYTES))
      return false
    },
  }
}
