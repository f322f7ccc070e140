export { Persistence, type PersistenceOptions, type SnapshotResult } from './persistence'
export { PersistenceError, SnapshotError } from './errors'
export type { FsyncPolicy } from './journal'
