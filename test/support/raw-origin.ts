// An upstream on loopback that answers with bytes the test writes itself: what Bun.serve will not
// send (a field over several lines, interim 1xx responses, hop-by-hop fields, its own framing).

export interface RawOrigin {
  url: string
  /** The request heads received (request line and fields), in order. */
  requests: string[]
  stop(): void
}

/**
 * Answers every request with `respond(head)` (whole HTTP/1.1 responses, interim ones first if
 * wanted) and closes the connection after it, so framing mistakes cannot carry into a next request.
 */
export async function startRawOrigin(respond: (head: string) => string): Promise<RawOrigin> {
  const requests: string[] = []
  const listener = Bun.listen<{ received: string }>({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      open(socket) {
        socket.data = { received: '' }
      },
      data(socket, data) {
        socket.data.received += data.toString()
        const end = socket.data.received.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = socket.data.received.slice(0, end)
        requests.push(head)
        socket.end(respond(head))
      },
    },
  })
  return { url: `http://127.0.0.1:${listener.port}`, requests, stop: () => listener.stop(true) }
}

/** An HTTP/1.1 response: status line, each field on its own line (repeats kept), then the body with its length. */
export function rawResponse(status: string, fields: [string, string][], body = ''): string {
  const lines = fields.map(([name, value]) => `${name}: ${value}\r\n`).join('')
  const length = fields.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name))
    ? ''
    : `Content-Length: ${Buffer.byteLength(body)}\r\n`
  return `HTTP/1.1 ${status}\r\n${lines}${length}Connection: close\r\n\r\n${body}`
}
