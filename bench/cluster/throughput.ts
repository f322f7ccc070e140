// Throughput rounds of the cluster benchmark: its sides (wrk on an instance, redis-benchmark on Redis) take
// turns in rotating rounds (bench/http/rounds.ts), and each side's rounds become a cell with their spread.
import { resolve } from 'node:path'
import { KEY_PREFIX } from '../http/preload'
import { medians, rotatingRounds, type RoundsCell } from '../http/rounds'
import { LUA_DIR, wrk, type Load } from '../http/wrk'
import { spread } from './stats'

/** One measured run: what a wrk run or a redis-benchmark run reports, reduced to what the report shows. */
export interface Measurement {
  requests: number
  rps: number
  p50Ms: number
  p99Ms: number
  /** Socket errors and non-2xx answers (wrk); always 0 for redis-benchmark, which stops on an error. */
  errors: number
}

/** Something measured in rounds: an instance under wrk, or Redis under redis-benchmark. */
export interface Side {
  name: string
  measure(): Promise<Measurement>
}

/** A side's rounds and their medians (each figure's median on its own). */
export interface Cell extends RoundsCell<Measurement> {
  name: string
  /** (max − min) / median of the rounds' req/s. */
  spread: number
  errors: number
}

const GET_LUA = resolve(LUA_DIR, 'get.lua')

/** wrk GETs of key:0 .. key:(keys-1), uniformly at random, on an instance. */
export function wrkGetSide(name: string, url: string, keys: number, load: Load): Side {
  return {
    name,
    measure: async () => {
      const r = await wrk(url, GET_LUA, [`pre=/v1/kv/${KEY_PREFIX}`, 'suf=', `keys=${keys}`, 'dist=uniform'], load)
      return { requests: r.requests, rps: r.rps, p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.non2xx + r.socketErrors }
    },
  }
}

export async function rounds(sides: Side[], count: number, log: (message: string) => void, label: string): Promise<Cell[]> {
  const runs = await rotatingRounds(sides, (side) => side.measure(), {
    count,
    label,
    log,
    errors: (m) => (m.errors ? `, ${m.errors} errors` : ''),
  })
  return sides.map((side) => {
    const r = runs.get(side)!
    return {
      name: side.name,
      rounds: r,
      ...medians(r),
      spread: spread(r.map((m) => m.rps)),
      errors: r.reduce((sum, m) => sum + m.errors, 0),
    }
  })
}
