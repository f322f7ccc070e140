import { createFastcache } from './fastcache'
import { createFifo } from './fifo'
import { createLru } from './lru'
import { createLruCachePackage } from './lru-cache'
import { createOpt } from './opt'
import { createOptSize } from './opt-size'
import { createS3Fifo } from './s3fifo'
import { createSieve } from './sieve'
import type { PolicySpec } from './types'
import { createWTinyLfu } from './wtinylfu'

export type { Policy, PolicyContext, PolicySpec } from './types'

/** Every policy, in the report's column order. */
export const POLICIES: readonly PolicySpec[] = [
  { name: 'fastcache', kind: 'fastcache', create: createFastcache },
  { name: 'LRU', kind: 'classic', create: createLru },
  { name: 'FIFO', kind: 'classic', create: createFifo },
  { name: 'SIEVE', kind: 'classic', create: createSieve },
  { name: 'S3-FIFO', kind: 'classic', create: createS3Fifo },
  { name: 'W-TinyLFU', kind: 'classic', create: createWTinyLfu },
  { name: 'lru-cache', kind: 'peer', create: createLruCachePackage },
  { name: 'OPT', kind: 'offline', create: createOpt },
  { name: 'OPT-size', kind: 'offline', create: createOptSize, appliesTo: (trace) => trace.sized },
]

export const CLASSIC = POLICIES.filter((p) => p.kind === 'classic').map((p) => p.name)

export function policyNamed(name: string): PolicySpec {
  const spec = POLICIES.find((p) => p.name === name)
  if (!spec) throw new Error(`no policy named ${name}`)
  return spec
}
