import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ENTRY_OVERHEAD_BYTES } from '../../src/cache'
import { envName, flagName } from '../../src/config/names'
import { ConfigInput, settingSchema } from '../../src/config/schema'

// The README restates what the code decides (defaults, limits, overhead); these tests keep it true.
const readme = readFileSync(join(import.meta.dir, '../../README.md'), 'utf8')

/** How the README's table writes a default: the value in backticks, or "none" / "off" for what is unset. */
function defaultCell(value: unknown): string {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return 'none'
  if (value === false) return 'off'
  return `\`${value}\``
}

describe("the README's configuration table", () => {
  const rows = readme
    .slice(readme.indexOf('| Flag | Environment variable |'))
    .split('\n')
    .filter((line) => line.startsWith('| `--') || line.startsWith('| —'))
    .map((line) => line.split(' | ').map((cell) => cell.replace(/^\| /, '')))

  test('has one row per setting, with its flag, variable, key and the default the schema holds', () => {
    for (const key of Object.keys(ConfigInput.properties)) {
      const schema = settingSchema(key)
      if (key === 'config' || key === 'tlsKey') continue // shown in the rows of --config and --tls-cert
      const row = rows.find((cells) => cells[2]?.split(', ').includes(`\`${key}\``))
      expect([key, row === undefined ? 'no row' : 'a row']).toEqual([key, 'a row'])
      if (!schema.fileOnly)
        expect([key, row![0]!.includes(`\`${flagName(key)}\``), row![1]!.includes(`\`${envName(key)}\``)]).toEqual([key, true, true])
      if (schema.fileOnly) expect(row![3]).toBe('none')
      else expect([key, row![3]]).toEqual([key, defaultCell(schema.default)])
    }
  })
})

describe('numbers the README states', () => {
  test('the overhead charged per entry is the one the engine charges', () => {
    const stated = [...readme.matchAll(/(\d+) bytes of overhead/g)].map((match) => Number(match[1]))
    expect(stated.length).toBeGreaterThan(1)
    expect(new Set(stated)).toEqual(new Set([ENTRY_OVERHEAD_BYTES]))
  })
})
