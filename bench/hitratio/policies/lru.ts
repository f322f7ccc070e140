import { Links, List } from './links'
import type { Policy, PolicyContext } from './types'

/** Exact LRU: a hit moves the key to the head; evict from the tail until the new key fits. */
export function createLru({ capacity, trace }: PolicyContext): Policy {
  const links = new Links(trace.keyCount)
  const queue = new List(links)
  const cached = new Uint8Array(trace.keyCount)
  return {
    access(key, weight) {
      if (cached[key]) {
        queue.moveToHead(key)
        return true
      }
      if (weight > capacity) return false
      while (queue.bytes + weight > capacity) cached[queue.popTail()] = 0
      links.weight[key] = weight
      queue.pushHead(key)
      cached[key] = 1
      return false
    },
  }
}
