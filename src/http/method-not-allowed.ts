import { Elysia } from 'elysia'
import { HttpError } from './errors'
import { access } from '../access/rules'
import { failures } from './openapi/declare'

/**
 * Answers 405 with an Allow header for any other method on a known path (Elysia alone would say 404).
 * Registered after a path's real routes, and hidden from the OpenAPI document.
 */
export function otherMethods(path: string, allowed: string[]) {
  const allow = allowed.join(', ')
  return new Elysia().all(
    path,
    () => {
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `this path accepts ${allow}`, { allow })
    },
    // Any token may learn which methods a path takes.
    { response: failures({ 405: ['METHOD_NOT_ALLOWED'] }), detail: { hide: true, ...access('read') } },
  )
}
