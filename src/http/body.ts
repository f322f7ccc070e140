import { HttpError, badRequest } from './errors'
import { isJsonType } from './media-type'

const decoder = new TextDecoder('utf-8', { fatal: true })

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'PAYLOAD_TOO_LARGE', `the body is larger than the limit of ${limit} bytes`)
}

/**
 * Reads a request body into memory, refusing it with 413 once it passes `limit` bytes:
 * at once from Content-Length, otherwise while streaming, so an oversized body is never held whole.
 * The bytes are the runtime's own, not copied: nothing keeps them past the request (the engine copies
 * a value into its arena, the shared tier sends it to Redis, JSON bodies are parsed and dropped).
 */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length')
  if (declared !== null) {
    if (Number(declared) > limit) throw tooLarge(limit)
    // The length is known and within bounds: let the runtime read it in one piece.
    return await request.bytes()
  }
  if (!request.body) return new Uint8Array(0)
  const body = await readStreamUpTo(request.body, limit)
  if (body === undefined) throw tooLarge(limit)
  return body
}

/**
 * Reads a stream whole, or stops and returns undefined once it passes `limit` bytes, so an
 * oversized stream is never held whole.
 */
export async function readStreamUpTo(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of stream) {
    total += chunk.byteLength
    if (total > limit) return undefined
    chunks.push(chunk)
  }
  if (chunks.length === 1) return chunks[0]!
  const body = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  return body
}

/** Checks that bytes are valid UTF-8 JSON; returns the parsed value. */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(bytes))
  } catch {
    throw badRequest('INVALID_JSON', 'the body is not valid JSON')
  }
}

/**
 * An Elysia parser for routes that take JSON bodies only: any other content type gets 415,
 * malformed JSON 400, and an empty body reads as `{}` so optional fields take their defaults.
 */
export function jsonBodyParser(limit: number) {
  return async ({ request, contentType }: { request: Request; contentType: string }) => {
    const bytes = await readBody(request, limit)
    if (bytes.byteLength === 0) return {}
    if (!isJsonType(contentType)) {
      throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'this route takes application/json bodies only')
    }
    return parseJsonBytes(bytes)
  }
}
