import { t } from 'elysia'
import { DURATION_HINT, parseDurationMs } from '../units/duration'
import { badRequest } from './errors'

/** A TTL as JSON accepts it: whole seconds as a number, or a string such as "30s". Syntax is checked by parseTtlMs. */
export const TtlSchema = t.Union([t.Number(), t.String()], { description: DURATION_HINT })

/** Parses a TTL from a query or body, or answers 400. */
export function parseTtlMs(input: unknown): number {
  const ms = parseDurationMs(input)
  if (ms === undefined) throw badRequest('INVALID_TTL', `ttl ${JSON.stringify(input)} is not ${DURATION_HINT}`)
  return ms
}

/** Parses another duration parameter (lease, wait, stale), or answers 400 naming it. */
export function parseDurationParam(name: string, input: unknown): number {
  const ms = parseDurationMs(input)
  if (ms === undefined) throw badRequest('INVALID_DURATION', `${name} ${JSON.stringify(input)} is not ${DURATION_HINT}`)
  return ms
}
