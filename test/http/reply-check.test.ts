import { describe, expect, test } from 'bun:test'
import { Type } from '@sinclair/typebox'
import { access } from '../../src/access/rules'
import { failures, noBody, reply } from '../../src/http/openapi/declare'
import { replyChecker } from '../support/reply-check'

const Thing = Type.Object({ id: Type.Integer() })
const route = {
  method: 'GET',
  path: '/things/*',
  hooks: {
    detail: access('read'),
    response: { 200: reply(Thing, 'a thing', { etag: 'always' }), 304: noBody('unchanged'), ...failures({ 404: ['KEY_NOT_FOUND'] }) },
  },
}
const check = replyChecker([route])
const json = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  status,
  headers: new Headers({ 'content-type': 'application/json', ...headers }),
  text: JSON.stringify(body),
})

describe("the tests' reply check (what testApp() and the e2e fetches run on every reply)", () => {
  test('accepts the replies a route declares, the front errors and the runtime refusals', () => {
    check('GET', '/things/1', json(200, { id: 1 }, { etag: '"1"' }))
    check('GET', '/things/1', { status: 304, headers: new Headers(), text: '' })
    check('GET', '/things/1', json(404, { error: { code: 'KEY_NOT_FOUND', message: 'no' } }))
    check('GET', '/things/1', json(401, { error: { code: 'UNAUTHORIZED', message: 'no' } }, { 'www-authenticate': 'Bearer' }))
    check('GET', '/things/1', { status: 413, headers: new Headers(), text: '' })
    check('HEAD', '/things/1', { status: 200, headers: new Headers({ etag: '"1"' }), text: '' })
    check('GET', '/elsewhere', json(404, { error: { code: 'ROUTE_NOT_FOUND', message: 'no' } }))
  })

  test('refuses an undeclared status, a body that does not fit, a wrong code, a missing header or media type', () => {
    expect(() => check('GET', '/things/1', json(201, { id: 1 }))).toThrow('a status its route (/things/*) does not declare')
    expect(() => check('GET', '/things/1', json(200, { id: '1' }, { etag: '"1"' }))).toThrow('/id Expected integer')
    expect(() => check('GET', '/things/1', json(200, { id: 1.5 }, { etag: '"1"' }))).toThrow('/id Expected integer')
    expect(() => check('GET', '/things/1', json(200, { id: 1 }))).toThrow('no etag header')
    expect(() => check('GET', '/things/1', json(404, { error: { code: 'UPSTREAM_NOT_FOUND', message: 'no' } }))).toThrow('/error/code')
    expect(() => check('GET', '/things/1', { status: 200, headers: new Headers({ etag: '"1"' }), text: '{"id":1}' })).toThrow(
      'Content-Type (none) where application/json is declared',
    )
    expect(() => check('GET', '/things/1', { status: 304, headers: new Headers(), text: 'x' })).toThrow('where none is declared')
    expect(() => check('GET', '/elsewhere', json(200, {}))).toThrow('does not declare')
  })
})
