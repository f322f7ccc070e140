import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { API_FILE, apiTypes } from '../../client/scripts/generate-api'
import { root } from '../support/binary'

describe('the client package (client/)', () => {
  test("its types are the server's: src/api.ts is what openapi-typescript makes of the document built from the TypeBox schemas", async () => {
    // On a difference: `bun run client:api`, and look at what changed for the client.
    expect(readFileSync(API_FILE, 'utf8')).toBe(await apiTypes())
  })

  test('it type-checks for browsers and Node: DOM and ES2022 only, no Bun or Node types', () => {
    const tsc = Bun.spawnSync([join(root, 'node_modules/.bin/tsc'), '-p', join(root, 'client/tsconfig.json'), '--noEmit'])
    expect(tsc.stdout.toString() + tsc.stderr.toString()).toBe('')
    expect(tsc.exitCode).toBe(0)
  })
})
