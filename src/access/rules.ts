import type { Scope } from '../config/schema'

/**
 * Who may call a route, declared beside the route in its `detail` (it also shows in the OpenAPI
 * document): a token scope, anyone (`public`), or admin unless --public-metrics (`metrics`). A query
 * parameter can ask for more: a lease (GET ?lease) is a writer's act on a read route.
 */
export interface AccessRule {
  scope: Scope | 'public' | 'metrics'
  /** With this query parameter present, the request needs this scope instead. */
  raisedBy?: { query: string; scope: Scope }
}

/** The `detail` fragment a route declares its rule with. */
export const access = (scope: AccessRule['scope'], raisedBy?: AccessRule['raisedBy']) => ({
  'x-fastcache-access': raisedBy === undefined ? { scope } : { scope, raisedBy },
})

/** The rule a route declared, if it declared one. */
export const declaredRule = (detail: unknown): AccessRule | undefined =>
  (detail as { 'x-fastcache-access'?: AccessRule } | undefined)?.['x-fastcache-access']

/**
 * A path no route serves: a read there needs `read` (so the route table cannot be probed without a
 * token); anything else needs `admin`, so a mutating route added without a declared rule is never
 * open to a lesser token.
 */
export const unknownRoute = (method: string): AccessRule => ({ scope: method === 'GET' || method === 'HEAD' ? 'read' : 'admin' })

/** The scope a request needs under a rule, or null when it is open. */
export function neededScope(rule: AccessRule, query: string, publicMetrics: boolean): Scope | null {
  if (rule.raisedBy !== undefined && query !== '' && new URLSearchParams(query).has(rule.raisedBy.query)) return rule.raisedBy.scope
  if (rule.scope === 'public') return null
  if (rule.scope === 'metrics') return publicMetrics ? null : 'admin'
  return rule.scope
}
