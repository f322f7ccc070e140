import { Elysia } from 'elysia'
import { HttpError } from './errors'

/** Answers 501 on a path whose feature does not work in the current mode yet, saying why, instead of doing the wrong thing. */
export function notImplemented(path: string, reason: string) {
  return new Elysia().all(
    path,
    () => {
      throw new HttpError(501, 'NOT_IMPLEMENTED', reason)
    },
    { detail: { hide: true } },
  )
}
