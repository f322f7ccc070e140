import { describe, expect, test } from 'bun:test'
import { locate } from '../../src/modules/proxy/target'
import { upstreamAt } from '../support/proxied'

const upstreams = new Map([
  ['api', upstreamAt('http://origin.example/base')],
  ['cdn', { ...upstreamAt('http://cdn.example'), name: 'cdn' }],
])

describe('locating a URL a client names (purges, Location after a write)', () => {
  test('a proxy path names its upstream and the path under it', () => {
    expect(locate(upstreams, '/proxy/api/users/1?x=1')).toEqual({ upstream: 'api', path: '/users/1?x=1' })
    expect(locate(upstreams, '/proxy/api')).toEqual({ upstream: 'api', path: '/' })
    expect(locate(upstreams, '/proxy/nope/users/1')).toBeUndefined()
  })

  test("an upstream's own URL is found under its base URL, at a path or query boundary only", () => {
    expect(locate(upstreams, 'http://origin.example/base/users/1')).toEqual({ upstream: 'api', path: '/users/1' })
    expect(locate(upstreams, 'http://origin.example/base')).toEqual({ upstream: 'api', path: '/' })
    expect(locate(upstreams, 'http://origin.example/base?page=2')).toEqual({ upstream: 'api', path: '/?page=2' })
    expect(locate(upstreams, 'http://cdn.example/app.js')).toEqual({ upstream: 'cdn', path: '/app.js' })
    expect(locate(upstreams, 'http://origin.example/baseline/users/1')).toBeUndefined()
    expect(locate(upstreams, 'http://elsewhere.example/base/users/1')).toBeUndefined()
  })
})
