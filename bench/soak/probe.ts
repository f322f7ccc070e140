// After the load: one miss seen by an independent client (curl), to show what wrk's GET non-2xx
// answers were, and the server's liveness.
import { run } from '../http/procs'
import { KEY_PATH } from './drive'

export interface MissProbe {
  key: string
  status: number
  body: string
  /** 404 with {"error":{"code":"KEY_NOT_FOUND",...}}, as the README documents for a key that is not held. */
  documented: boolean
  /** Keys tried before the miss: the ones before it were held. */
  tries: number
}

/**
 * GETs random keys of the written set with curl until one is not held (after the overload most are
 * evicted: at most bound / set of them can be held). Undefined if none of `attempts` keys missed.
 */
export async function probeMiss(url: string, keys: number, attempts = 50): Promise<MissProbe | undefined> {
  for (let tries = 1; tries <= attempts; tries++) {
    const key = `key:${Math.floor(Math.random() * keys)}`
    // The status code goes on a line of its own after the body.
    const out = await run(['curl', '-sS', '--max-time', '5', '-w', '\n%{http_code}', `${url}${KEY_PATH}${key.slice('key:'.length)}`])
    const cut = out.lastIndexOf('\n')
    const status = Number(out.slice(cut + 1))
    if (status === 200) continue
    const body = out.slice(0, cut)
    let code: unknown
    try {
      code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code
    } catch {
      code = undefined
    }
    return { key, status, body, documented: status === 404 && code === 'KEY_NOT_FOUND', tries }
  }
  return undefined
}

/** The status of GET /health, or 0 if it did not answer within 5 s. */
export async function healthStatus(url: string): Promise<number> {
  try {
    return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) })).status
  } catch {
    return 0
  }
}
