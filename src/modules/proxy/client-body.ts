/**
 * An upstream body as passed on to a client. When the upstream fails in the middle of it (it stalls
 * past its timeout, or resets), Bun's server would print the stream's error to stderr as a
 * multi-line dump, outside our JSON log; here `onError` hears of it instead (once), and the client's
 * connection is cut, which is how HTTP tells a client its body is incomplete. Erroring the stream
 * with no reason is what makes Bun cut the connection without printing anything.
 */
export function guardedBody(body: ReadableStream<Uint8Array>, onError: (error: unknown) => void): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const chunk = await reader.read().catch((error: unknown) => {
          onError(error)
          return undefined
        })
        if (chunk === undefined) controller.error(undefined)
        else if (chunk.done) controller.close()
        else controller.enqueue(chunk.value)
      },
      cancel: (reason) => reader.cancel(reason),
    },
    // Pull only when the client wants more: backpressure reaches the upstream as before.
    { highWaterMark: 0 },
  )
}
