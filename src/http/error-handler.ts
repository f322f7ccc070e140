import { Elysia, type ValidationError } from 'elysia'
import type { Logger } from '../log/logger'
import { HttpError, errorResponse } from './errors'

function validationMessage(error: ValidationError): string {
  const detail = error.valueError
  const where = detail?.path ? `${error.type} field ${detail.path}` : error.type
  // Elysia wraps numbers in unions (to accept numeric strings); the last variant is the schema as written.
  const variant = detail?.errors?.at(-1)?.First()
  return `invalid ${where}: ${variant?.message ?? detail?.message ?? 'does not match the schema'}`
}

/** Our error shape for a thrown HttpError; anything else is logged and answered 500 without internals. */
export function responseForError(error: unknown, logger: Logger, code = 'UNKNOWN'): Response {
  if (error instanceof HttpError) return errorResponse(error.status, error.code, error.message, error.headers)
  logger.error('unhandled error', { code, error: String((error as Error)?.stack ?? error) })
  return errorResponse(500, 'INTERNAL', 'internal error; see the server log')
}

/**
 * Maps every failure to our error shape and status. Framework errors become 4xx where the client
 * is at fault; anything unexpected is logged and answered 500 without internals.
 */
export function errorHandling(logger: Logger) {
  return new Elysia({ name: 'error-handling' }).onError({ as: 'global' }, ({ code, error, set }) => {
    let reply: Response
    // A parser's own HttpError arrives wrapped in Elysia's ParseError.
    const cause = code === 'PARSE' ? (error as Error).cause : error
    if (cause instanceof HttpError) reply = responseForError(cause, logger)
    else if (code === 'VALIDATION') reply = errorResponse(400, 'INVALID_REQUEST', validationMessage(error as ValidationError))
    else if (code === 'NOT_FOUND') reply = errorResponse(404, 'ROUTE_NOT_FOUND', 'no route for this path; see /openapi')
    else if (code === 'PARSE') reply = errorResponse(400, 'INVALID_BODY', 'the request body cannot be parsed')
    else reply = responseForError(error, logger, String(code))
    set.status = reply.status
    return reply
  })
}
