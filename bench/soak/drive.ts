// The overload: two wrk processes side by side, one writing 1 KiB-ish values uniformly over a key set
// several times larger than the bound, one reading the same key set, in consecutive slices so each
// slice has its own throughput and error counts. GETs have a wrk of their own so that every non-2xx
// answer it counts can only be a GET's (a miss: 404 KEY_NOT_FOUND is documented for evicted keys).
import { resolve } from 'node:path'
import { LUA_DIR, wrk, type WrkResult } from '../http/wrk'

/** The key prefix shared by writer and reader: `key:0` … `key:(keys-1)`. */
export const KEY_PATH = '/v1/kv/key:'

export type Dist = 'uniform' | 'zipf'

/** The load as the command line sets it: what drive() runs and the report's settings record. */
export interface Workload {
  valueSize: number
  durationS: number
  sliceS: number
  putConnections: number
  getConnections: number
  getDist: Dist
}

export interface DriveOptions extends Workload {
  url: string
  keys: number
  /** performance.now() at the start of the load: slice times are relative to it. */
  t0: number
  /** False once the server has exited: no point in driving a dead server for the rest of the run. */
  alive(): boolean
  log(message: string): void
}

export interface Slice {
  index: number
  /** Seconds since the load started. */
  fromS: number
  toS: number
  put: WrkResult
  get: WrkResult
}

export interface DriveResult {
  slices: Slice[]
  /** Why the load ended before its duration, if it did. */
  cutShort?: string
}

const lua = (name: string) => resolve(LUA_DIR, name)

export async function drive(o: DriveOptions): Promise<DriveResult> {
  const putArgs = [`pre=${KEY_PATH}`, `keys=${o.keys}`, 'dist=uniform', `size=${o.valueSize}`]
  const getArgs = [`pre=${KEY_PATH}`, `keys=${o.keys}`, `dist=${o.getDist}`, 'theta=0.99']
  const slices: Slice[] = []
  const since = () => (performance.now() - o.t0) / 1000
  for (let index = 0; since() < o.durationS - 0.5; index++) {
    // The last slice takes what is left, so the load ends near the duration however it divides.
    const durationS = Math.max(1, Math.min(o.sliceS, Math.round(o.durationS - since())))
    const fromS = since()
    // One wrk thread each: two wrk threads and the server already share the two cores this runs on.
    const [put, get] = await Promise.all([
      wrk(o.url, lua('put.lua'), putArgs, { threads: 1, connections: o.putConnections, durationS }),
      wrk(o.url, lua('get.lua'), getArgs, { threads: 1, connections: o.getConnections, durationS }),
    ])
    const slice = { index, fromS, toS: since(), put, get }
    slices.push(slice)
    o.log(
      `  slice ${index + 1}: ${Math.round(fromS)}-${Math.round(slice.toS)} s  PUT ${Math.round(put.rps)}/s, GET ${Math.round(get.rps)}/s ` +
        `(${get.non2xx} misses), errors ${put.socketErrors + get.socketErrors}, PUT non-2xx ${put.non2xx}`,
    )
    if (!o.alive()) return { slices, cutShort: `the server exited during slice ${index + 1}` }
  }
  return { slices }
}
