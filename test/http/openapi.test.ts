import { describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { neededScope } from '../../src/access/rules'
import { RouteTable } from '../../src/http/route-table'
import { testApp } from '../support/app'
import { root } from '../support/binary'

// biome-ignore lint/suspicious/noExplicitAny: the test walks the document's JSON.
type Json = Record<string, any>

const METHODS = ['get', 'head', 'put', 'post', 'patch', 'delete', 'options', 'trace']

async function documentAndRoutes() {
  const { app, call } = testApp()
  const doc = (await call('GET', '/openapi/json')).json as Json
  const operations = Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ path, method, operation: operation as Json })),
  )
  return { doc, operations, routes: app.routes }
}

/** A concrete request path for a templated one. */
const concrete = (path: string) => path.replace('{key}', 'k').replace('{upstream}/{path}', 'api/x')

/** Every schema in the document, nested ones included. */
function* schemasIn(value: unknown): Generator<Json> {
  if (Array.isArray(value)) for (const item of value) yield* schemasIn(item)
  else if (typeof value === 'object' && value !== null) {
    const object = value as Json
    if ('type' in object || 'anyOf' in object || 'allOf' in object) yield object
    for (const child of Object.values(object)) yield* schemasIn(child)
  }
}

describe('the OpenAPI document at /openapi/json', () => {
  test('every documented route is an operation at a {parameter} path, with a readable unique operationId; HEAD beside each GET', async () => {
    const { operations, routes } = await documentAndRoutes()
    const paths = new Set(operations.map(({ path }) => path))
    for (const path of ['/v1/kv/{key}', '/v1/incr/{key}', '/v1/touch/{key}', '/proxy/{upstream}/{path}', '/v1/batch', '/v1/keys']) {
      expect([path, paths.has(path)]).toEqual([path, true])
    }
    expect([...paths].filter((path) => path.includes('*'))).toEqual([])
    const ids = operations.map(({ operation }) => operation.operationId as string)
    expect(ids.filter((id) => !/^[a-z][A-Za-z]+$/.test(id))).toEqual([])
    expect(new Set(ids).size).toBe(ids.length)
    // Each route Elysia serves (but the 405 fallbacks and the viewer) is in the document.
    const documented = new Set(operations.map(({ path, method }) => `${method.toUpperCase()} ${concrete(path)}`))
    const table = new RouteTable(routes)
    for (const route of routes) {
      if ((route.hooks?.detail as { hide?: boolean } | undefined)?.hide) continue
      const sample = route.path.replace('*', route.path.startsWith('/proxy/') ? 'api/x' : 'k')
      const method = route.method === 'ALL' ? 'POST' : route.method
      expect([route.path, documented.has(`${method} ${sample}`)]).toEqual([route.path, true])
      if (route.method === 'GET') expect([route.path, documented.has(`HEAD ${sample}`)]).toEqual([route.path, true])
      expect(table.template(sample)).toBe(route.path)
    }
    const proxyMethods = operations.filter(({ path }) => path === '/proxy/{upstream}/{path}').map(({ operation }) => operation.operationId)
    expect(proxyMethods.sort()).toEqual(['proxyDelete', 'proxyGet', 'proxyHead', 'proxyOptions', 'proxyPatch', 'proxyPost', 'proxyPut'])
  })

  test("each operation's security requirement is the scope its route's declared rule asks for", async () => {
    const { doc, operations, routes } = await documentAndRoutes()
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
    const table = new RouteTable(routes)
    for (const { path, method, operation } of operations) {
      const scope = neededScope(table.rule(method.toUpperCase(), concrete(path)), '', false)
      const expected = scope === null ? [] : [{ bearer: [scope] }]
      expect([method, path, operation.security]).toEqual([method, path, expected])
    }
    const byId = new Map(operations.map(({ operation }) => [operation.operationId, operation]))
    expect(byId.get('getHealth')!.security).toEqual([])
    expect(byId.get('getValue')!.security).toEqual([{ bearer: ['read'] }])
    expect(byId.get('putValue')!.security).toEqual([{ bearer: ['write'] }])
    expect(byId.get('purgeProxyCache')!.security).toEqual([{ bearer: ['admin'] }])
    // What one requirement cannot say is in the description.
    expect(byId.get('getValue')!.description).toContain('With ?lease it needs the write scope.')
    expect(byId.get('getStats')!.description).toContain('--public-metrics')
  })

  test('integers are integers, not string | integer', async () => {
    const { doc } = await documentAndRoutes()
    const numericStrings = [...schemasIn(doc)].filter(
      (schema) => schema.type === 'string' && ['integer', 'numeric'].includes(schema.format),
    )
    expect(numericStrings).toEqual([])
    expect(doc.components.schemas.WriteReply.properties.version.type).toBe('integer')
    expect(doc.components.schemas.IncrRequest.properties.by).toMatchObject({ type: 'integer', maximum: Number.MAX_SAFE_INTEGER })
    const limit = doc.paths['/v1/keys'].get.parameters.find((parameter: Json) => parameter.name === 'limit')
    expect(limit.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000 })
  })

  test('request bodies: a value of any media type, JSON bodies by their schema (incr may be empty)', async () => {
    const { doc } = await documentAndRoutes()
    const put = doc.paths['/v1/kv/{key}'].put
    expect(put.requestBody.required).toBe(true)
    expect(Object.keys(put.requestBody.content).sort()).toEqual(['*/*', 'application/json'])
    expect(put.parameters.map((parameter: Json) => `${parameter.in} ${parameter.name}`)).toEqual([
      'path key',
      'header If-Match',
      'header If-None-Match',
      'query ttl',
      'query nx',
      'query xx',
      'query keepttl',
      'query stale',
      'query lease',
    ])
    const body = (path: string, method: string) => doc.paths[path][method].requestBody
    expect(body('/v1/incr/{key}', 'post')).toEqual({
      required: false,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/IncrRequest' } } },
    })
    expect(body('/v1/touch/{key}', 'post').required).toBe(true)
    expect(body('/v1/batch', 'post').content['application/json'].schema).toEqual({ $ref: '#/components/schemas/BatchRequest' })
    expect(body('/v1/proxy/cache', 'delete').content['application/json'].schema).toEqual({ $ref: '#/components/schemas/PurgeRequest' })
    expect(doc.components.schemas.BatchRequest.properties.ops.maxItems).toBe(1000)
  })

  test('every operation answers a 2xx and 4xx; every error is the error shape with the codes its status can carry', async () => {
    const { operations } = await documentAndRoutes()
    for (const { path, method, operation } of operations) {
      const statuses = Object.keys(operation.responses)
      expect([method, path, statuses.some((status) => /^2|default/.test(status))]).toEqual([method, path, true])
      expect([method, path, statuses.some((status) => status.startsWith('4'))]).toEqual([method, path, true])
      for (const status of statuses.filter((status) => /^[45]/.test(status))) {
        if (method === 'head') {
          expect(operation.responses[status].content).toBeUndefined()
          continue
        }
        const schema = operation.responses[status].content?.['application/json']?.schema
        // The runtime's own refusals have no body.
        if (schema === undefined && ['413', '431'].includes(status)) continue
        // The error shape, or one of the replies of that status (readiness's 503 also answers while starting).
        const error = schema?.allOf ? schema : schema?.anyOf?.find((alternative: Json) => alternative.allOf)
        expect([method, path, status, error?.allOf?.[0]]).toEqual([method, path, status, { $ref: '#/components/schemas/ErrorReply' }])
      }
    }
    const get = operations.find(({ operation }) => operation.operationId === 'getValue')!.operation
    expect(get.responses['404'].content['application/json'].schema.allOf[1].properties.error.properties.code).toEqual({
      type: 'string',
      const: 'KEY_NOT_FOUND',
    })
    expect(Object.keys(get.responses['200'].content).sort()).toEqual(['*/*', 'application/json'])
    expect(get.responses['304'].content).toBeUndefined()
    expect(get.responses['200'].headers.etag.required).toBe(true)
    // Front errors are on every operation; tokens only where the route is guarded.
    const health = operations.find(({ operation }) => operation.operationId === 'getHealth')!.operation
    expect(Object.keys(health.responses)).toEqual(['200', '400', '413', '431', '500', '503'])
    expect(health.responses['413'].content).toBeUndefined()
    expect(health.responses['431'].content['application/json']).toBeDefined()
  })

  test("passes redocly lint with the recommended rules, without errors or warnings but the license's", async () => {
    const { doc } = await documentAndRoutes()
    const dir = mkdtempSync(join(tmpdir(), 'fastcache-openapi-'))
    try {
      const file = join(dir, 'openapi.json')
      writeFileSync(file, JSON.stringify(doc))
      const lint = Bun.spawn([join(root, 'node_modules/.bin/redocly'), 'lint', file, '--format=json'], {
        cwd: dir,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        stdout: 'pipe',
        stderr: 'pipe',
      })
      const [code, out] = await Promise.all([lint.exited, new Response(lint.stdout).text()])
      const report = JSON.parse(out) as { problems: { ruleId: string; severity: string; message: string }[] }
      const problems = report.problems.map(({ ruleId, severity }) => `${severity} ${ruleId}`)
      // The project states no license, so the document cannot name one.
      expect(problems).toEqual(['warn info-license'])
      expect(code).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
