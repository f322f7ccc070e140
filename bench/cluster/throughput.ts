// Throughput rounds: each round runs every side once, back to back, in a rotating order (A B C, B C A, ...),
// so no side always runs first and a slow spell of the machine lands on all sides of a ratio.
import { resolve } from 'node:path'
import { KEY_PREFIX } from '../http/preload'
import { LUA_DIR, wrk, type Load } from '../http/wrk'
import { median, spread } from './stats'

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
export interface Cell {
  name: string
  rounds: Measurement[]
  rps: number
  p50Ms: number
  p99Ms: number
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

const rotate = <T>(items: T[], by: number) => items.map((_, i) => items[(i + by) % items.length]!)

export async function rounds(sides: Side[], count: number, log: (message: string) => void, label: string): Promise<Cell[]> {
  const runs = new Map<string, Measurement[]>(sides.map((s) => [s.name, []]))
  for (let round = 0; round < count; round++) {
    for (const side of rotate(sides, round)) {
      const m = await side.measure()
      runs.get(side.name)!.push(m)
      log(
        `  ${label} round ${round + 1}/${count} ${side.name}: ${Math.round(m.rps)} req/s, p50 ${m.p50Ms.toFixed(2)} ms, p99 ${m.p99Ms.toFixed(2)} ms` +
          (m.errors ? `, ${m.errors} errors` : ''),
      )
    }
  }
  return sides.map((side) => {
    const r = runs.get(side.name)!
    return {
      name: side.name,
      rounds: r,
      rps: median(r.map((m) => m.rps)),
      p50Ms: median(r.map((m) => m.p50Ms)),
      p99Ms: median(r.map((m) => m.p99Ms)),
      spread: spread(r.map((m) => m.rps)),
      errors: r.reduce((sum, m) => sum + m.errors, 0),
    }
  })
}
