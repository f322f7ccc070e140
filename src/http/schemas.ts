import type { TProperties } from '@sinclair/typebox'
import { t } from 'elysia'

/** Objects reject fields they do not define, so a typo is a 400 instead of being ignored. */
export const strictObject = <T extends TProperties>(properties: T, options?: { description?: string }) =>
  t.Object(properties, { additionalProperties: false, ...options })

/** A query flag such as `?nx`: present (empty, `true` or `1`) or explicitly off (`false` or `0`). */
export const QueryFlag = t.Optional(t.Union([t.Literal(''), t.Literal('true'), t.Literal('1'), t.Literal('false'), t.Literal('0')]))

export const flagSet = (value: string | undefined) => value === '' || value === 'true' || value === '1'

export const SafeInteger = t.Integer({ minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER })
