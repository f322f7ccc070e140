/** Outstanding leases one client may hold at once: a cache-aside caller needs one per key it is filling. */
export const MAX_LEASES_PER_CLIENT = 1_000

/**
 * Counts the leases each client holds, so that one client cannot take the whole lease table (and
 * with it every other client's stampede protection). A client is its bearer token, or its address
 * without tokens. A slot is taken with a lease and given back when the lease ends.
 */
export class LeaseQuota {
  private readonly held = new Map<string, number>()

  constructor(private readonly perClient = MAX_LEASES_PER_CLIENT) {}

  /** Takes a slot for the client; false when it already holds its bound. */
  take(client: string): boolean {
    const count = this.held.get(client) ?? 0
    if (count >= this.perClient) return false
    this.held.set(client, count + 1)
    return true
  }

  give(client: string): void {
    const count = this.held.get(client) ?? 0
    if (count <= 1) this.held.delete(client)
    else this.held.set(client, count - 1)
  }

  heldBy(client: string): number {
    return this.held.get(client) ?? 0
  }
}
