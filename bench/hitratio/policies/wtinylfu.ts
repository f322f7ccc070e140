import { Links, List, NONE } from './links'
import { FrequencySketch } from './sketch'
import type { Policy, PolicyContext } from './types'

const NOWHERE = 0
const WINDOW = 1
const PROBATION = 2
const PROTECTED = 3

/**
 * W-TinyLFU (Einziger et al., 2017) with a fixed window, as Caffeine starts before hill climbing:
 * new keys enter a window LRU (1% of the capacity; it always holds the newest key). Keys leaving the
 * window are candidates for the main SLRU (probation 20%, protected 80%): a candidate is admitted
 * only if the sketch says it is more frequent than main's victim (probation's LRU, else protected's);
 * otherwise it is dropped. A probation hit promotes to protected, whose overflow drops back to
 * probation. Every access increments the sketch. No hill climbing and no random admission.
 */
export function createWTinyLfu({ capacity, trace }: PolicyContext): Policy {
  const windowCapacity = capacity * 0.01
  const protectedCapacity = (capacity - windowCapacity) * 0.8
  const links = new Links(trace.keyCount)
  const window = new List(links)
  const probation = new List(links)
  const protect = new List(links)
  const where = new Uint8Array(trace.keyCount)
  // Sized lazily from the resident count, as Caffeine does for weighted caches.
  const sketch = new FrequencySketch(16)
  let resident = 0

  function drop(key: number): void {
    where[key] = NOWHERE
    resident--
  }

  /** Admits `candidate` into probation if it beats main's victims, evicting them; else drops it. */
  function offer(candidate: number): void {
    const weight = links.weight[candidate]!
    const candidateFreq = sketch.frequency(candidate)
    while (window.bytes + probation.bytes + protect.bytes + weight > capacity) {
      const queue = probation.count > 0 ? probation : protect
      const victim = queue.tail
      if (victim === NONE || sketch.frequency(victim) >= candidateFreq) {
        drop(candidate)
        return
      }
      queue.remove(victim)
      drop(victim)
    }
    where[candidate] = PROBATION
    probation.pushHead(candidate)
  }

  return {
    access(key, weight) {
      sketch.increment(key)
      switch (where[key]) {
        case WINDOW:
          window.moveToHead(key)
          return true
        case PROTECTED:
          protect.moveToHead(key)
          return true
        case PROBATION:
          probation.remove(key)
          where[key] = PROTECTED
          protect.pushHead(key)
          while (protect.bytes > protectedCapacity && protect.count > 1) {
            const demoted = protect.popTail()
            where[demoted] = PROBATION
            probation.pushHead(demoted)
          }
          return true
      }
      if (weight > capacity) return false
      links.weight[key] = weight
      where[key] = WINDOW
      window.pushHead(key)
      sketch.ensureCapacity(++resident)
      while (window.count > 1 && (window.bytes > windowCapacity || window.bytes + probation.bytes + protect.bytes > capacity)) {
        offer(window.popTail())
      }
      // Only with unequal weights: the new key alone in the window may still not fit beside main.
      while (window.bytes + probation.bytes + protect.bytes > capacity) {
        const queue = probation.count > 0 ? probation : protect
        drop(queue.popTail())
      }
      return false
    },
  }
}
