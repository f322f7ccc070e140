/** A read-only copy of one entry's state at the moment it was read. */
export interface Entry {
  key: string
  value: Uint8Array
  contentType: string
  version: number
  createdAt: number
  /** Absolute expiry in epoch milliseconds, or null when the entry has no TTL. */
  expiresAt: number | null
  /** With soft expiry: when the entry turns stale (it is still served, as stale, until expiresAt); else null. */
  staleAt: number | null
}
