import { CACHE_NAME } from '../../http/cache-status'
import type { RequestObserver } from '../stats'

/** The proxy's route template, as the route table reports it. */
const PROXY_ROUTE = '/proxy/*'
const PROXY_PATH = '/proxy/'

export interface Outcomes {
  hits: number
  misses: number
}

/**
 * Proxy reads by upstream and outcome, told by our member of the Cache-Status field (RFC 9211):
 * `hit` is a hit, a forward is a miss, except `fwd=bypass` (Range, Authorization: not cacheable,
 * so neither). Observes requests only while the dashboard is watched (see DashboardService), so
 * the proxy's own counters stay as they are and nothing runs per request otherwise.
 */
export class UpstreamOutcomes {
  readonly counts = new Map<string, Outcomes>()

  constructor(upstreams: readonly string[]) {
    for (const name of upstreams) this.counts.set(name, { hits: 0, misses: 0 })
  }

  readonly observer: RequestObserver = (request, response, route, _seconds, path) => {
    if (route !== PROXY_ROUTE || (request.method !== 'GET' && request.method !== 'HEAD')) return
    const end = path.indexOf('/', PROXY_PATH.length)
    const counts = this.counts.get(path.slice(PROXY_PATH.length, end < 0 ? undefined : end))
    if (counts === undefined) return
    const outcome = ourOutcome(response.headers.get('cache-status'))
    if (outcome === 'hit') counts.hits++
    else if (outcome === 'miss') counts.misses++
  }
}

/** The members of a list field, split at commas outside quoted strings (a `key="..."` may hold commas). */
function members(field: string): string[] {
  const found: string[] = []
  let quoted = false
  let from = 0
  for (let i = 0; i < field.length; i++) {
    const c = field[i]
    if (quoted && c === '\\') i++
    else if (c === '"') quoted = !quoted
    else if (c === ',' && !quoted) {
      found.push(field.slice(from, i).trim())
      from = i + 1
    }
  }
  found.push(field.slice(from).trim())
  return found
}

/** What our member (the last, as caches nearer the client come later) says: a hit, a miss, or neither. */
export function ourOutcome(field: string | null): 'hit' | 'miss' | undefined {
  if (field === null) return undefined
  const ours = members(field).at(-1)!
  if (!ours.startsWith(`${CACHE_NAME};`)) return undefined
  // Parameters before any key="..." (which comes last and may hold anything).
  const params = ours
    .slice(CACHE_NAME.length + 1)
    .split(/;\s*key=/)[0]!
    .split(';')
    .map((param) => param.trim())
  if (params.includes('hit')) return 'hit'
  const forward = params.find((param) => param.startsWith('fwd='))
  if (forward === undefined || forward === 'fwd=bypass') return undefined
  return 'miss'
}
