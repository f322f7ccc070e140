// Near-cache misses served from Redis: instance C runs with --near-cache-ttl 0, so every GET is a Redis
// round trip (fastcache's GET script). Rounds rotate C, the standalone S, and redis-benchmark on the same
// Redis: plain GET (the Redis baseline) and EVALSHA of fastcache's own GET script (Redis's share of C's work).
import { KEY_PREFIX, valueFor } from '../http/preload'
import { run } from '../http/procs'
import { GET as GET_SCRIPT } from '../../src/tier/scripts'
import { tierDelta, tierStats, type Instance, type TierStats } from './instances'
import type { PhaseOptions } from './near-hits'
import { readAll } from './read-all'
import { redisBenchmarkCommand, redisBenchmarkSide, type RedisBenchmarkOptions } from './redis-benchmark'
import { roundRatio } from './stats'
import { rounds, wrkGetSide, type Cell, type Side } from './throughput'

export interface RedisServedResult {
  c: Cell
  s: Cell
  redisGet: Cell
  /** Undefined when key:0 is not the Redis hash the script reads (then the row is left out). */
  redisScript?: Cell
  /** Medians of per-round req/s ratios. */
  cOverS: number
  cOverRedisGet: number
  cOverRedisScript?: number
  counters: TierStats
  requests: number
  commands: { get: string; script?: string }
  problem?: string
  note?: string
}

/** The database redis-benchmark's plain GET uses, apart from fastcache's entries in database 0. */
const BENCH_DB = '1'
/** redis-benchmark's GET key when no -r is given: the literal placeholder. */
const RB_KEY = 'key:__rand_int__'

const cli = (port: number, ...args: string[]) =>
  run(['redis-cli', '-h', '127.0.0.1', '-p', String(port), ...args]).then((out) => out.trim())

export async function measureRedisServed(
  c: Instance,
  s: Instance,
  rb: RedisBenchmarkOptions,
  options: PhaseOptions,
): Promise<RedisServedResult> {
  const { keys, size, load, log } = options
  // C reads everything once: proves the data C serves is what A wrote, and warms C's Redis connection.
  await readAll(c.url, keys, size)

  // `-t get` reads one key, the literal placeholder: give it a value of the same size as the instances' values.
  if ((await cli(rb.port, '-n', BENCH_DB, 'SET', RB_KEY, valueFor(0, size))) !== 'OK') throw new Error(`cannot SET ${RB_KEY} in Redis`)
  const getArgs = ['--dbnum', BENCH_DB, '-t', 'get', '-d', String(size)]
  const sides: Side[] = [
    wrkGetSide('C', c.url, keys, load),
    wrkGetSide('S', s.url, keys, load),
    redisBenchmarkSide('redis GET', rb, getArgs),
  ]
  const commands: RedisServedResult['commands'] = { get: redisBenchmarkCommand(rb, getArgs) }

  // fastcache keeps an entry as a hash that its GET script reads; run that script on one of the entries.
  let note: string | undefined
  const key = `${KEY_PREFIX}0`
  const type = await cli(rb.port, 'TYPE', key)
  if (type === 'hash') {
    const sha = await cli(rb.port, 'SCRIPT', 'LOAD', GET_SCRIPT)
    const scriptArgs = ['EVALSHA', sha, '1', key]
    sides.push(redisBenchmarkSide('redis EVALSHA', rb, scriptArgs))
    commands.script = redisBenchmarkCommand(rb, ['EVALSHA', '<sha of the GET script>', '1', key])
  } else {
    note = `${key} is a Redis ${type}, not the hash fastcache's GET script reads: the EVALSHA row is left out`
  }

  // Untimed warm-up of C and S, as for the near hits.
  const warmLoad = { ...load, durationS: 1 }
  await wrkGetSide('C', c.url, keys, warmLoad).measure()
  await wrkGetSide('S', s.url, keys, warmLoad).measure()

  const before = await tierStats(c)
  const cells = await rounds(sides, options.rounds, log, 'Redis-served')
  const counters = tierDelta(before, await tierStats(c))
  const [cCell, sCell, getCell, scriptCell] = cells as [Cell, Cell, Cell, Cell | undefined]
  const requests = cCell.rounds.reduce((sum, m) => sum + m.requests, 0)
  const rps = (cell: Cell) => cell.rounds.map((m) => m.rps)

  const problems: string[] = []
  if (counters.nearHits > 0) problems.push(`C counted ${counters.nearHits} near hits with the near cache off`)
  if (counters.redisHits < requests) problems.push(`C counted ${counters.redisHits} Redis hits for ${requests} completed requests`)
  if (counters.misses + counters.redisErrors > 0)
    problems.push(`C counted ${counters.misses} misses and ${counters.redisErrors} Redis errors`)
  for (const cell of [cCell, sCell]) if (cell.errors > 0) problems.push(`${cell.errors} errors on ${cell.name}`)
  return {
    c: cCell,
    s: sCell,
    redisGet: getCell,
    redisScript: scriptCell,
    cOverS: roundRatio(rps(cCell), rps(sCell)),
    cOverRedisGet: roundRatio(rps(cCell), rps(getCell)),
    cOverRedisScript: scriptCell ? roundRatio(rps(cCell), rps(scriptCell)) : undefined,
    counters,
    requests,
    commands,
    problem: problems.length > 0 ? problems.join('; ') : undefined,
    note,
  }
}
