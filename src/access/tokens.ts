import { createHash, timingSafeEqual } from 'node:crypto'
import type { Scope } from '../config/schema'

const RANK: Record<Scope, number> = { read: 1, write: 2, admin: 3 }

/** True when `held` includes `needed`: admin includes write, which includes read. */
export const covers = (held: Scope, needed: Scope) => RANK[held] >= RANK[needed]

const digest = (secret: string) => createHash('sha256').update(secret).digest()

/**
 * Checks bearer tokens in constant time: the presented token is hashed and its digest compared with
 * every configured digest (no early exit), so timing tells nothing about how much of a secret matched.
 */
export class TokenVerifier {
  private readonly tokens: { scope: Scope; digest: Buffer }[]

  constructor(tokens: { scope: Scope; secret: string }[]) {
    this.tokens = tokens.map(({ scope, secret }) => ({ scope, digest: digest(secret) }))
  }

  get enabled(): boolean {
    return this.tokens.length > 0
  }

  /** The widest scope the token grants and the position (1-based) of that configured token, or undefined when it matches none. */
  match(token: string): { scope: Scope; position: number } | undefined {
    const presented = digest(token)
    let granted: { scope: Scope; position: number } | undefined
    for (const [index, { scope, digest }] of this.tokens.entries()) {
      if (timingSafeEqual(presented, digest) && (granted === undefined || covers(scope, granted.scope)))
        granted = { scope, position: index + 1 }
    }
    return granted
  }
}
