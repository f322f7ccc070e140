// Cache-aside for a slow SQL query through fastcache, with leases so an expired key is computed once:
// the client's cached() (client/) takes the lease on a miss, runs the query once, and stores it with
// soft expiry; the other callers wait for that value. (From npm: import { FastcacheClient } from 'fastcache-client'.)
// Usage: bun docs/examples/cache-aside-sqlite.ts [http://127.0.0.1:7070] [callers]
import { Database } from 'bun:sqlite'
import { FastcacheClient } from '../../client/src/index'

const cache = new FastcacheClient({ baseUrl: process.argv[2] ?? 'http://127.0.0.1:7070' })
const callers = Number(process.argv[3] ?? 100)

// The "database": an in-memory SQLite table and a query made slow on purpose.
const db = new Database(':memory:')
db.run('CREATE TABLE orders (id INTEGER PRIMARY KEY, region TEXT, total REAL)')
const insert = db.prepare('INSERT INTO orders (region, total) VALUES (?, ?)')
for (let i = 0; i < 10_000; i++) insert.run(['north', 'south', 'east', 'west'][i % 4]!, (i % 97) * 1.5)
let queries = 0

async function revenueByRegion(): Promise<unknown> {
  queries++
  await Bun.sleep(200) // what a slow query feels like
  return db.query('SELECT region, ROUND(SUM(total), 2) AS revenue FROM orders GROUP BY region ORDER BY region').all()
}

const key = `report:revenue-by-region:${Date.now()}` // a key nobody has: as good as just expired
const report = () => cache.cached(key, revenueByRegion, { ttl: '60s', stale: '30s', lease: '5s' })
const results = await Promise.all(Array.from({ length: callers }, report))
const identical = results.every((result) => JSON.stringify(result) === JSON.stringify(results[0]))
console.log(`${callers} concurrent callers, ${queries} query, identical results: ${identical}`)
console.log(JSON.stringify(results[0]))
// The demo's key is of no use to anyone else.
await cache.delete(key)
