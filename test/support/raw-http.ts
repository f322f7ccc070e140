// Raw HTTP/1.x over a socket: for what fetch will not send (odd Host fields, HTTP/1.0, bad framing).

export interface RawReply {
  /** 0 when the server closed without a status line. */
  status: number
  headers: Map<string, string>
  body: string
  /** Everything received, as text. */
  text: string
}

export interface RawOptions {
  tls?: boolean
  /** Stop waiting after this long (a server waiting for more of a cut-off request keeps the socket). */
  timeoutMs?: number
  /** Half-close after writing, as a client that sends nothing more does. */
  endAfterWrite?: boolean
}

/** Sends `bytes` (a string goes as UTF-8) to 127.0.0.1:port and collects what comes back until the server closes the connection. */
export function rawRequest(port: number, bytes: string | Uint8Array, options: RawOptions = {}): Promise<RawReply> {
  return new Promise((resolve) => {
    let text = ''
    let settled = false
    const finish = () => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(parseReply(text))
    }
    const timer = setTimeout(finish, options.timeoutMs ?? 5000)
    Bun.connect({
      hostname: '127.0.0.1',
      port,
      tls: options.tls ? { rejectUnauthorized: false } : undefined,
      socket: {
        open(socket) {
          socket.write(bytes)
          if (options.endAfterWrite) socket.end()
        },
        data: (_socket, data) => {
          text += data.toString()
        },
        close: finish,
        error: finish,
        connectError: finish,
      },
    }).catch(finish)
  })
}

function parseReply(text: string): RawReply {
  const headEnd = text.indexOf('\r\n\r\n')
  const head = headEnd < 0 ? text : text.slice(0, headEnd)
  const [statusLine = '', ...lines] = head.split('\r\n')
  const headers = new Map<string, string>()
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim())
  }
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]
  return { status: status === undefined ? 0 : Number(status), headers, body: headEnd < 0 ? '' : text.slice(headEnd + 4), text }
}
