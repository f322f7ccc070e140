import type { TSchema } from '@sinclair/typebox'
import { DURATION_HINT } from '../units/duration'
import { SIZE_HINT, formatSize } from '../units/size'
import type { SettingOptions } from './schema'

export const formatMs = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`)

/** What a valid value looks like, derived from its schema node, for error messages and help. */
export function hintOf(schema: TSchema & SettingOptions): string {
  if (schema.hint !== undefined) return schema.hint
  const bound = schema.max === undefined ? '' : `, at most ${schema.unit === 'size' ? formatSize(schema.max) : formatMs(schema.max)}`
  const offByZero = (schema.anyOf as TSchema[] | undefined)?.some((variant) => variant.const === 0) ? '0 (off) or ' : ''
  if (schema.unit === 'size') return SIZE_HINT + bound
  if (schema.unit === 'duration') return offByZero + DURATION_HINT + bound
  if (schema.anyOf) return `one of ${(schema.anyOf as TSchema[]).map((variant) => variant.const).join(', ')}`
  if (schema.type === 'integer') return `an integer from ${schema.minimum} to ${schema.maximum}`
  if (schema.type === 'boolean') return 'true or false'
  return 'a non-empty string'
}
