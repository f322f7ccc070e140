// Puts every key into a cache by requesting it once, then checks that the cache now answers from its
// store with the origin's bytes: a benchmark of "cached GETs" that measured misses would be worthless.
import { bodyOf } from './body'
import type { Target } from './targets'

/** Requests in flight while warming: enough to be quick, few enough not to trip any limit. */
const PARALLEL = 16
const TIMEOUT_MS = 5000

async function get(url: string): Promise<Response> {
  return fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) })
}

/** GET /item/0 … /item/(keys-1) once each through `target`; throws on any answer but 200 with `size` bytes. */
export async function warm(target: Target, keys: number, size: number): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < keys) {
      const n = next++
      const response = await get(`${target.url}${target.pre}${n}`)
      const body = await response.bytes()
      if (response.status !== 200 || body.length !== size) {
        throw new Error(`warming ${target.name}: /item/${n} answered ${response.status} with ${body.length} bytes`)
      }
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker))
}

/** A few keys spread over the set must now be hits with the origin's exact bytes. */
export async function checkHits(target: Target, keys: number, size: number): Promise<void> {
  for (const n of new Set([0, Math.floor(keys / 2), keys - 1])) {
    const response = await get(`${target.url}${target.pre}${n}`)
    const body = Buffer.from(await response.bytes())
    if (response.status !== 200 || !body.equals(bodyOf(n, size))) {
      throw new Error(`${target.name}: /item/${n} answered ${response.status} with ${body.length} bytes that are not the origin's`)
    }
    if (target.isHit(response) === false) {
      const seen = ['cache-status', 'x-varnish', 'age', 'via'].map((h) => `${h}: ${response.headers.get(h)}`).join('; ')
      throw new Error(`${target.name}: /item/${n} was not a hit after warming (${seen})`)
    }
  }
}
