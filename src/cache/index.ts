export { CacheEngine, ENTRY_OVERHEAD_BYTES } from './engine'
export type { Entry } from './entry'
export type {
  MutationListener,
  EngineOptions,
  EngineStats,
  SetOptions,
  SetResult,
  DeleteResult,
  IncrResult,
  ScanPage,
  WriteConditions,
} from './engine'
export { systemClock, ManualClock, type Clock } from './clock'
export type { EvictionPolicy, EvictionPolicyFactory } from './eviction'
export { isUtf8, utf8Length } from './utf8'
export { MAX_KEY_BYTES } from './slot-table'
export { copyBytes, emptyRawEntry, type RawEntry } from './raw-entry'
