// The measured request mixes, and how each becomes a wrk script plus arguments for a target.
import { resolve } from 'node:path'
import { KEY_PREFIX } from './preload'
import type { Target } from './servers'
import { LUA_DIR } from './wrk'

export type ScenarioId = 'get-uniform' | 'get-zipf' | 'get-miss' | 'put' | 'mix' | 'batch'

export interface Scenario {
  id: ScenarioId
  title: string
  /** Misses answer 404 by design; in every other scenario a non-2xx answer invalidates the run. */
  expectErrors: boolean
  /** The miss path does not depend on the stored values, so it runs with the first value size only. */
  firstSizeOnly: boolean
  script: string
  args(target: Target, keys: number, size: number): string[]
}

const lua = (name: string) => resolve(LUA_DIR, name)

/** Share of PUTs in the read-mostly mix. */
const MIX_PUT_SHARE = 0.1
/** Gets per batch request. */
export const BATCH_GETS = 10

export const SCENARIOS: Scenario[] = [
  {
    id: 'get-uniform',
    title: 'GET hit, uniform',
    expectErrors: false,
    firstSizeOnly: false,
    script: lua('get.lua'),
    args: (t, keys) => [`pre=${t.routes.get.pre}`, `suf=${t.routes.get.suf}`, `keys=${keys}`, 'dist=uniform'],
  },
  {
    id: 'get-zipf',
    title: 'GET hit, Zipf 0.99',
    expectErrors: false,
    firstSizeOnly: false,
    script: lua('get.lua'),
    args: (t, keys) => [`pre=${t.routes.get.pre}`, `suf=${t.routes.get.suf}`, `keys=${keys}`, 'dist=zipf', 'theta=0.99'],
  },
  {
    id: 'get-miss',
    title: 'GET miss (404)',
    expectErrors: true,
    firstSizeOnly: true,
    script: lua('get.lua'),
    args: (t, keys) => [`pre=${t.routes.miss.pre}`, `suf=${t.routes.miss.suf}`, `keys=${keys}`, 'dist=uniform'],
  },
  {
    id: 'put',
    title: 'PUT (overwrite), uniform',
    expectErrors: false,
    firstSizeOnly: false,
    script: lua('put.lua'),
    args: (t, keys, size) => [`pre=${t.routes.put.pre}`, `suf=${t.routes.put.suf}`, `keys=${keys}`, 'dist=uniform', `size=${size}`],
  },
  {
    id: 'mix',
    title: '90% GET / 10% PUT, uniform',
    expectErrors: false,
    firstSizeOnly: false,
    script: lua('mix.lua'),
    args: (t, keys, size) => [
      `getpre=${t.routes.get.pre}`,
      `getsuf=${t.routes.get.suf}`,
      `putpre=${t.routes.put.pre}`,
      `putsuf=${t.routes.put.suf}`,
      `keys=${keys}`,
      'dist=uniform',
      `size=${size}`,
      `put=${MIX_PUT_SHARE}`,
    ],
  },
  {
    id: 'batch',
    title: `batch of ${BATCH_GETS} GETs, uniform`,
    expectErrors: false,
    firstSizeOnly: false,
    script: lua('batch.lua'),
    args: (t, keys) => [
      `mode=${t.routes.batch.mode}`,
      `path=${t.routes.batch.path}`,
      `kp=${KEY_PREFIX}`,
      `n=${BATCH_GETS}`,
      `keys=${keys}`,
      'dist=uniform',
    ],
  },
]
