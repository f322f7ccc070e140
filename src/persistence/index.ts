export { Persistence, type PersistenceOptions, type SnapshotResult } from './persistence'
export { PersistenceError } from './loader'
export type { FsyncPolicy } from './journal'
