import { CacheEngine } from '../../../src/cache'
import { keyStrings, valueFor } from '../trace'
import type { Policy, PolicyContext } from './types'

const CONTENT_TYPE = 'application/octet-stream'

/**
 * fastcache's real engine with its default policy (none is passed, so whatever the engine defaults
 * to is what is measured). No per-entry overhead, so it charges exactly key + value bytes like every
 * other policy here, and no background sweep (nothing expires). A cache-aside client: get, and on a
 * miss set a zero-copy view of one shared buffer, so values cost no memory.
 */
export function createFastcache({ capacity, trace }: PolicyContext): Policy {
  // A fixed hash seed: the sketch counts by hash, so a random one would move every figure a little per run.
  const engine = new CacheEngine({ maxBytes: capacity, entryOverheadBytes: 0, sweepIntervalMs: 0, hashSeed: 0 })
  const keys = keyStrings(trace)
  const value = valueFor(trace)
  return {
    access(key, weight) {
      const name = keys[key]!
      if (engine.get(name) !== undefined) return true
      engine.set(name, value(weight), CONTENT_TYPE)
      return false
    },
    close() {
      engine.close()
    },
  }
}
