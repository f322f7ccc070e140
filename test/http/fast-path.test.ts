import { describe, expect, test } from 'bun:test'
import { checkFastPaths } from '../../src/http/fast-path'
import { testApp } from '../support/app'

describe('fast paths take only their own route', () => {
  const kv = [{ method: 'GET' as const, prefix: '/v1/kv/' }]

  test('the app starts: each fast path has its prefix* GET route, alone under its prefix', () => {
    const { app } = testApp()
    expect(() =>
      checkFastPaths(
        [
          { method: 'GET', prefix: '/v1/kv/' },
          { method: 'PUT', prefix: '/v1/kv/' },
          { method: 'GET', prefix: '/proxy/', head: true },
        ],
        app.routes,
      ),
    ).not.toThrow()
    app.decorator.engine.close()
  })

  test('a missing route, or another GET route under the prefix, stops the start', () => {
    expect(() => checkFastPaths(kv, [{ method: 'PUT', path: '/v1/kv/*' }])).toThrow('no route GET /v1/kv/* for a fast path')
    const routes = [
      { method: 'GET', path: '/v1/kv/*' },
      { method: 'GET', path: '/v1/kv/special' },
      { method: 'PUT', path: '/v1/kv/other' },
    ]
    expect(() => checkFastPaths(kv, routes)).toThrow('the fast path for GET /v1/kv/* would answer GET /v1/kv/special')
    // A HEAD route under the prefix matters only to a fast path that answers HEAD.
    const withHead = [routes[0]!, { method: 'HEAD', path: '/v1/kv/special' }]
    expect(() => checkFastPaths(kv, withHead)).not.toThrow()
    expect(() => checkFastPaths([{ ...kv[0]!, head: true }], withHead)).toThrow('would answer HEAD /v1/kv/special')
    // Other methods under the prefix are the router's: the fast path answers its own method only.
    expect(() => checkFastPaths(kv, [routes[0]!, routes[2]!])).not.toThrow()
  })
})
