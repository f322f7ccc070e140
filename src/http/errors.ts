/** An error with its HTTP status and our stable machine-readable code; thrown by handlers and helpers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message)
  }
}

/** The one error shape every route answers with: `{"error":{"code","message"}}`. */
export function errorResponse(status: number, code: string, message: string, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify({ error: { code, message } }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

export const badRequest = (code: string, message: string) => new HttpError(400, code, message)
