import { describe, expect, test } from 'bun:test'
import { locate, TargetResolver } from '../../src/modules/proxy/target'
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

describe('reads resolve their URL once', () => {
  const keyOf = (upstream: string, path: string) => `${upstream} ${path}`

  test('the same path and query give the same target and key, whatever the host; another query another', () => {
    const resolver = new TargetResolver(upstreams, keyOf)
    const first = resolver.resolve('http://a.example/proxy/api/users/1?x=1')
    expect(resolver.resolve('http://b.example/proxy/api/users/1?x=1')).toBe(first)
    expect(first.baseKey).toBe('api /users/1?x=1')
    expect(first.target.url).toBe('http://origin.example/base/users/1?x=1')
    expect(resolver.resolve('http://a.example/proxy/api/users/1?x=2').baseKey).toBe('api /users/1?x=2')
  })

  test('a refused path is refused every time (nothing is remembered for it), and the memory is bounded', () => {
    const resolver = new TargetResolver(upstreams, keyOf, 2)
    for (let i = 0; i < 2; i++) expect(() => resolver.resolve('http://a.example/proxy/api/a//b')).toThrow()
    const kept = resolver.resolve('http://a.example/proxy/api/1')
    resolver.resolve('http://a.example/proxy/api/2')
    // The third starts the memory over: the first is resolved again, as a new object.
    resolver.resolve('http://a.example/proxy/api/3')
    expect(resolver.resolve('http://a.example/proxy/api/1')).not.toBe(kept)
  })
})
