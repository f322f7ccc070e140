import { LRUCache } from 'lru-cache'
import { keyStrings, valueFor } from '../trace'
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
  const value = valueFor(trace)
  return {
    access(key, weight) {
      const name = keys[key]!
      if (cache.get(name) !== undefined) return true
      cache.set(name, value(weight))
      return false
    },
  }
}
