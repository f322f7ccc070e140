import { expect, test } from 'bun:test'
import { testApp } from '../support/app'

// PUT /v1/kv/{key} without a query string is answered before Elysia routes it (src/modules/kv/fast-put.ts);
// with an empty query string ("?") the route answers. Both must answer every request alike.
const cases: { name: string; body?: string | Uint8Array; headers?: Record<string, string>; before?: string }[] = [
  { name: 'a new key', body: 'v' },
  { name: 'over an existing key', body: 'v2', before: 'v1' },
  { name: 'a JSON value', body: '{"a":1}', headers: { 'content-type': 'application/json; charset=utf-8' } },
  { name: 'invalid JSON', body: '{"a":', headers: { 'content-type': 'application/json' } },
  { name: 'an empty body', body: '' },
  { name: 'a body over --max-value-size', body: new Uint8Array(2048) },
  { name: 'an entry over the whole bound', body: new Uint8Array(1000), headers: { 'content-type': 'image/png' } },
  { name: 'If-None-Match: * on an absent key', body: 'v', headers: { 'if-none-match': '*' } },
  { name: 'If-None-Match: * on a present key', body: 'v', headers: { 'if-none-match': '*' }, before: 'old' },
  { name: 'If-Match of the current version', body: 'v', headers: { 'if-match': '"1"' }, before: 'old' },
  { name: 'If-Match of another version', body: 'v', headers: { 'if-match': '"7"' }, before: 'old' },
  { name: 'If-Match on an absent key', body: 'v', headers: { 'if-match': '*' } },
  { name: 'If-None-Match of the current version', body: 'v', headers: { 'if-none-match': '"1"' }, before: 'old' },
]

test('the PUT fast path answers as the route: status, body, headers and what is stored', async () => {
  for (const c of cases) {
    const answers = []
    for (const query of ['', '?']) {
      // A fresh app each time, so versions match.
      const { call } = testApp({ maxValueBytes: 1024, maxMemoryBytes: 1000 })
      if (c.before !== undefined) expect((await call('PUT', '/v1/kv/k', { body: c.before })).status).toBe(201)
      const put = await call('PUT', `/v1/kv/k${query}`, { body: c.body, headers: c.headers })
      const get = await call('GET', '/v1/kv/k')
      const headers = Object.fromEntries([...put.headers].filter(([name]) => name !== 'date'))
      answers.push({ case: c.name, status: put.status, text: put.text, headers, stored: [get.status, get.text] })
    }
    expect(answers[0]).toEqual(answers[1]!)
  }
})

test('a key the fast path cannot read is left to the route, which refuses it as before', async () => {
  const { call } = testApp({ maxKeyBytes: 8 })
  const long = await call('PUT', '/v1/kv/123456789', { body: 'v' })
  expect([long.status, long.json.error.code]).toEqual([400, 'INVALID_KEY'])
  const empty = await call('PUT', '/v1/kv/', { body: 'v' })
  expect(empty.status).toBe(400)
})
