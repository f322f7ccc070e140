// Cache-aside for a slow SQL query through fastcache, with leases so an expired key is computed once.
// Usage: bun docs/examples/cache-aside-sqlite.ts [http://127.0.0.1:7070] [callers]
import { Database } from 'bun:sqlite'

const server = process.argv[2] ?? 'http://127.0.0.1:7070'
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

/** Reads the key; on a miss, whoever gets the lease runs the query and stores it, the others wait for that value. */
async function cached(key: string, compute: () => Promise<unknown>): Promise<unknown> {
  const url = `${server}/v1/kv/${encodeURIComponent(key)}`
  const read = await fetch(`${url}?lease=5s`)
  if (read.status === 200) return read.json()
  const lease = read.headers.get('lease')
  const value = await compute()
  // With the lease, store it for everyone; without one (the wait ran out), just use it.
  if (lease !== null) {
    await fetch(`${url}?ttl=60s&stale=30s&lease=${lease}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(value),
    })
  }
  return value
}

const key = `report:revenue-by-region:${Date.now()}` // a key nobody has: as good as just expired
const results = await Promise.all(Array.from({ length: callers }, () => cached(key, revenueByRegion)))
const identical = results.every((result) => JSON.stringify(result) === JSON.stringify(results[0]))
console.log(`${callers} concurrent callers, ${queries} query, identical results: ${identical}`)
console.log(JSON.stringify(results[0]))
// The demo's key is of no use to anyone else.
await fetch(`${server}/v1/kv/${encodeURIComponent(key)}`, { method: 'DELETE' })
