import { describe, expect, test } from 'bun:test'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript'
import { binaryHarness, root } from '../support/binary'

const { start, stop } = binaryHarness()
const dir = join(import.meta.dir, 'generated-client')

describe('a client generated from the served OpenAPI document', () => {
  test('openapi-typescript types it, tsc accepts the round trip over them, and openapi-fetch runs it against the binary', async () => {
    const server = await start()
    const document = (await (await fetch(`${server.url}/openapi/json`)).json()) as OpenAPI3
    const generated = join(dir, 'api.ts')
    try {
      writeFileSync(generated, astToString(await openapiTS(document)))
      const tsc = Bun.spawnSync([join(root, 'node_modules/.bin/tsc'), '-p', join(dir, 'tsconfig.json')], { cwd: root })
      expect(tsc.stdout.toString() + tsc.stderr.toString()).toBe('')
      expect(tsc.exitCode).toBe(0)
      // Imported by path: the root type check leaves this directory out (api.ts exists only during this test).
      const { roundTrip } = (await import(join(dir, 'round-trip.ts'))) as { roundTrip: (baseUrl: string) => Promise<string[]> }
      expect(await roundTrip(server.url)).toEqual([
        'put 201 etag true',
        'get 200 {"name":"Ada"}',
        'meta true application/json',
        'conditional put 200, then 412 PRECONDITION_FAILED',
        'incr 201 5',
        'batch 201 200 200 404',
        'list ["user:42"] null',
        'delete 204, then 404 KEY_NOT_FOUND',
      ])
    } finally {
      rmSync(generated, { force: true })
      await stop(server)
    }
  }, 60_000)
})
