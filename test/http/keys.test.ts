import { describe, expect, test } from 'bun:test'
import { testApp } from '../support/app'

async function listAll(call: ReturnType<typeof testApp>['call'], query: string) {
  const keys: string[] = []
  let cursor: string | null = null
  do {
    const page: { json: { keys: string[]; cursor: string | null } } = await call(
      'GET',
      `/v1/keys?${query}${cursor === null ? '' : `&cursor=${cursor}`}`,
    )
    keys.push(...page.json.keys)
    cursor = page.json.cursor
  } while (cursor !== null)
  return keys
}

describe('GET /v1/keys', () => {
  test('lists with a default limit of 100 and a cursor until null', async () => {
    const { call } = testApp()
    await call('POST', '/v1/batch', { json: { ops: Array.from({ length: 150 }, (_, i) => ({ op: 'set', key: `k${i}`, value: i })) } })
    const first = await call('GET', '/v1/keys')
    expect(first.json.keys.length).toBe(100)
    expect(first.json.cursor).toBeString()
    const all = await listAll(call, 'limit=7')
    expect(new Set(all).size).toBe(150)
  })

  test('filters by prefix and never lists expired keys', async () => {
    const { call, clock } = testApp()
    await call('PUT', '/v1/kv/user:1', { body: '1' })
    await call('PUT', '/v1/kv/user:2?ttl=1', { body: '1' })
    await call('PUT', '/v1/kv/order:1', { body: '1' })
    clock.advance(1000)
    expect(await listAll(call, 'prefix=user%3A')).toEqual(['user:1'])
  })

  test('limit outside 1-1000 and a foreign cursor get 400', async () => {
    const { call } = testApp()
    for (const q of ['limit=0', 'limit=1001', 'limit=x', 'cursor=abc', 'cursor=-1', 'nope=1']) {
      const r = await call('GET', `/v1/keys?${q}`)
      expect(r.status).toBe(400)
    }
    expect((await call('GET', '/v1/keys?limit=1000')).status).toBe(200)
  })
})

describe('DELETE /v1/keys', () => {
  test('deletes by non-empty prefix and counts', async () => {
    const { call } = testApp()
    for (const key of ['a:1', 'a:2', 'b:1']) await call('PUT', `/v1/kv/${key}`, { body: '1' })
    expect((await call('DELETE', '/v1/keys?prefix=a%3A')).json).toEqual({ deleted: 2 })
    expect(await listAll(call, '')).toEqual(['b:1'])
  })

  test('all=true flushes everything', async () => {
    const { call } = testApp()
    for (const key of ['a', 'b', 'c']) await call('PUT', `/v1/kv/${key}`, { body: '1' })
    expect((await call('DELETE', '/v1/keys?all=true')).json).toEqual({ deleted: 3 })
    expect((await call('GET', '/v1/stats')).json).toMatchObject({ items: 0, bytes: 0 })
  })

  test('neither, both, an empty prefix or all=false get 400 and delete nothing', async () => {
    const { call } = testApp()
    await call('PUT', '/v1/kv/a', { body: '1' })
    for (const q of ['', '?prefix=', '?all=false', '?prefix=a&all=true']) {
      const r = await call('DELETE', `/v1/keys${q}`)
      expect(r.status).toBe(400)
      expect(r.json.error.code).toBeString()
    }
    expect((await call('GET', '/v1/kv/a')).status).toBe(200)
  })
})
