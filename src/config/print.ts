import type { LoadReport } from './load'
import { maskSetting } from './mask'
import { KEYS } from './sources'

/** `--print-config`: every setting with its effective value and where it came from, secrets masked. */
export function printConfig(report: LoadReport): string {
  const settings = Object.fromEntries(
    KEYS.map((key) => [key, { value: maskSetting(key, report.input[key] ?? null), source: report.sources[key] }]),
  )
  return `${JSON.stringify(settings, null, 2)}\n`
}

/** The settings that differ from their defaults, secrets masked: what the start line shows. */
export function changedSettings(report: LoadReport): Record<string, unknown> {
  return Object.fromEntries(
    KEYS.filter((key) => report.sources[key] !== 'default').map((key) => [key, maskSetting(key, report.input[key])]),
  )
}
