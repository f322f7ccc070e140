import { type AccessRule, declaredRule, unknownRoute } from '../access/rules'
import { pathStart, splitUrl } from './url'

export interface Route {
  method: string
  path: string
  hooks?: { detail?: unknown }
}

interface Entry {
  template: string
  /** Rules by method; 'ALL' for the route that answers every other method (405 fallbacks, proxy writes). */
  rules: Map<string, AccessRule>
  routes: Map<string, Route>
}

/**
 * The composed app's routes, read once: which route template a path belongs to (for metrics and
 * logs) and the access rule each route declared (for the guard, which runs before routing). Paths
 * are matched as Elysia's router matches them: exact paths first, then the longest `*` prefix.
 */
export class RouteTable {
  private readonly exact = new Map<string, Entry>()
  /** Longest first; `shadowed` when some exact path starts with the prefix (and so may take a path it matches). */
  private readonly prefixes: [prefix: string, entry: Entry, shadowed: boolean][] = []

  constructor(routes: readonly Route[]) {
    const entries = new Map<string, Entry>()
    for (const route of routes) {
      const entry = entries.get(route.path) ?? {
        template: route.path,
        rules: new Map<string, AccessRule>(),
        routes: new Map<string, Route>(),
      }
      entries.set(route.path, entry)
      entry.routes.set(route.method, route)
      const rule = declaredRule(route.hooks?.detail)
      if (rule !== undefined) entry.rules.set(route.method, rule)
    }
    for (const [path, entry] of entries) if (!path.endsWith('*')) this.exact.set(path, entry)
    for (const [path, entry] of entries) {
      if (!path.endsWith('*')) continue
      const prefix = path.slice(0, -1)
      this.prefixes.push([prefix, entry, [...this.exact.keys()].some((exact) => exact.startsWith(prefix))])
    }
    this.prefixes.sort(([a], [b]) => b.length - a.length)
  }

  private entry(pathname: string): Entry | undefined {
    // A path under a prefix no exact path shares (the proxy's, the key-value routes') is that
    // prefix's without hashing it into the exact map: the same answer, on every request's hot path.
    for (const [prefix, entry, shadowed] of this.prefixes) {
      if (!pathname.startsWith(prefix)) continue
      return shadowed ? (this.exact.get(pathname) ?? entry) : entry
    }
    return this.exact.get(pathname)
  }

  /** The template of the route serving the path, or 'unmatched'. */
  template(pathname: string): string {
    return this.entry(pathname)?.template ?? 'unmatched'
  }

  /**
   * template() of a routable URL's path (see url.ts), without making the path string when a prefix
   * decides it: the timing of every request asks, and most requests are under a prefix (/v1/kv/).
   */
  templateOfUrl(url: string): string {
    const start = pathStart(url)
    if (start >= 0) {
      // The longest matching prefix serves the path unless an exact path might: as entry() decides.
      for (const [prefix, entry, shadowed] of this.prefixes) {
        if (!url.startsWith(prefix, start)) continue
        if (!shadowed) return entry.template
        break
      }
    }
    return this.template(splitUrl(url)[0])
  }

  /** The rule for a request: its method's route, else GET's for HEAD (Elysia answers HEAD with GET), else the path's catch-all, else an unknown route's. */
  rule(method: string, pathname: string): AccessRule {
    const rules = this.entry(pathname)?.rules
    return rules?.get(method) ?? (method === 'HEAD' ? rules?.get('GET') : undefined) ?? rules?.get('ALL') ?? unknownRoute(method)
  }

  /** The route that serves a request, as Elysia chooses it: its method's, else GET's for HEAD, else the path's catch-all. */
  route(method: string, pathname: string): Route | undefined {
    const routes = this.entry(pathname)?.routes
    return routes?.get(method) ?? (method === 'HEAD' ? routes?.get('GET') : undefined) ?? routes?.get('ALL')
  }

  /** Routes that declared no rule, as "METHOD path": a test keeps this empty. */
  undeclared(routes: readonly Route[]): string[] {
    return routes
      .filter((route) => this.entry(route.path)?.rules.get(route.method) === undefined)
      .map((route) => `${route.method} ${route.path}`)
  }
}
