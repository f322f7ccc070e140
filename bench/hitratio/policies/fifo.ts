import { Links, List } from './links'
import type { Policy, PolicyContext } from './types'

/** FIFO: hits change nothing; evict the oldest insertion until the new key fits. */
export function createFifo({ capacity, trace }: PolicyContext): Policy {
  const links = new Links(trace.keyCount)
  const queue = new List(links)
  const cached = new Uint8Array(trace.keyCount)
  return {
    access(key, weight) {
      if (cached[key]) return true
      if (weight > capacity) return false
      while (queue.bytes + weight > capacity) cached[queue.popTail()] = 0
      links.weight[key] = weight
      queue.pushHead(key)
      cached[key] = 1
      return false
    },
  }
}
