// Reads every key once through an instance and checks each answer is the preloaded value: this is how an
// instance's near cache is filled, and it proves the shared data is what the other instances wrote.
import { KEY_PREFIX, valueFor } from '../http/preload'

/** Requests in flight: enough to be quick, few enough not to trip any limit. */
const PARALLEL = 16

/** GET key:0 .. key:(keys-1) once each from `url`; throws unless each answers 200 with exactly the preloaded bytes. */
export async function readAll(url: string, keys: number, size: number): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < keys) {
      const i = next++
      const response = await fetch(`${url}/v1/kv/${KEY_PREFIX}${i}`, { signal: AbortSignal.timeout(5000) })
      const body = await response.text()
      if (response.status !== 200 || body !== valueFor(i, size)) {
        throw new Error(`GET ${url}/v1/kv/${KEY_PREFIX}${i}: ${response.status} with ${body.length} bytes that are not the preloaded value`)
      }
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker))
}
