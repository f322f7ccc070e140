import { expect, test } from 'bun:test'
import { RouteTable } from '../../src/http/route-table'
import { splitUrl } from '../../src/http/url'
import { testApp } from '../support/app'

/** URLs as Bun hands them over: absolute, with the path at the router's search start (see url.ts). */
const urlsFor = (paths: string[]) =>
  paths.flatMap((path) => ['', '?', '?a=1', '/', '/x', '/x?b=/c'].map((tail) => `http://localhost${path}${tail}`))

test('the template of a URL is the template of its path, for exact paths under prefixes and nested prefixes', () => {
  const table = new RouteTable(
    ['/v1/kv/*', '/v1/kv/special', '/a', '/a/*', '/a/b/*', '/a/b/c', '/z/*', '/'].map((path) => ({ method: 'GET', path })),
  )
  const paths = ['/v1/kv/k', '/v1/kv/special', '/v1/kv', '/a', '/a/b', '/a/b/c', '/a/bc', '/z', '/z/', '/', '/nothing', '/v1/kv/']
  for (const url of urlsFor(paths)) {
    expect({ url, template: table.templateOfUrl(url) }).toEqual({ url, template: table.template(splitUrl(url)[0]) })
  }
  expect(table.templateOfUrl('http://localhost/v1/kv/special')).toBe('/v1/kv/special')
  expect(table.templateOfUrl('http://localhost/v1/kv/special?x')).toBe('/v1/kv/special')
  expect(table.templateOfUrl('http://localhost/a/b/c/d')).toBe('/a/b/*')
})

test('the same over the app’s own routes', () => {
  const { app } = testApp()
  const table = new RouteTable(app.routes)
  const paths = app.routes.map((route) => route.path.replace('*', 'k'))
  for (const url of urlsFor(paths)) {
    expect({ url, template: table.templateOfUrl(url) }).toEqual({ url, template: table.template(splitUrl(url)[0]) })
  }
})
