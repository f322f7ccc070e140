import { afterEach, describe, expect, test } from 'bun:test'
import { proxiedTo } from '../support/proxied'
import { rawResponse, startRawOrigin, type RawOrigin } from '../support/raw-origin'

let origin: RawOrigin | undefined
afterEach(() => origin?.stop())

/** The proxy over a raw origin answering every request with `response`; the second GET's answer. */
async function storedThenHit(response: string) {
  origin = await startRawOrigin(() => response)
  const { call } = proxiedTo(`${origin.url}/base`)
  const first = await call('GET', '/proxy/api/m')
  const hit = await call('GET', '/proxy/api/m')
  expect(hit.headers.get('cache-status')).toBe('fastcache; hit; ttl=60')
  expect(origin.requests.length).toBe(1)
  return { first, hit }
}

describe('interim (1xx) responses', () => {
  test.each(['103 Early Hints', '102 Processing', '100 Continue'])(
    'a %s before the final response: the final one is stored and served; nothing of the interim one is',
    async (interim) => {
      const final = rawResponse(
        '200 OK',
        [
          ['Cache-Control', 'max-age=60'],
          ['X-Final', '1'],
        ],
        'final',
      )
      const { first, hit } = await storedThenHit(`HTTP/1.1 ${interim}\r\nLink: </style.css>; rel=preload\r\nX-Interim: 1\r\n\r\n${final}`)
      for (const reply of [first, hit]) {
        expect([reply.status, reply.text, reply.headers.get('x-final')]).toEqual([200, 'final', '1'])
        expect([reply.headers.get('link'), reply.headers.get('x-interim')]).toEqual([null, null])
      }
    },
  )
})

describe('hop-by-hop fields are never stored (RFC 9111 section 3.1)', () => {
  test('Connection, the fields it names, Keep-Alive, Proxy-*, TE, Trailer, Upgrade and Transfer-Encoding', async () => {
    const fields: [string, string][] = [
      ['Cache-Control', 'max-age=60'],
      ['Connection', 'x-hop, close'],
      ['X-Hop', 'for this connection'],
      ['Keep-Alive', 'timeout=5'],
      ['Proxy-Connection', 'keep-alive'],
      ['Proxy-Authenticate', 'Basic realm="proxy"'],
      ['Proxy-Authentication-Info', 'nextnonce="abc"'],
      ['TE', 'trailers'],
      ['Trailer', 'X-Checksum'],
      ['Upgrade', 'h2c'],
      ['X-End-To-End', 'kept'],
      ['Transfer-Encoding', 'chunked'],
    ]
    const body = '5\r\nhello\r\n0\r\n\r\n'
    const { hit } = await storedThenHit(`HTTP/1.1 200 OK\r\n${fields.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n${body}`)
    expect(hit.text).toBe('hello')
    expect(hit.headers.get('x-end-to-end')).toBe('kept')
    const hopByHop = ['connection', 'x-hop', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authentication-info']
    const more = ['te', 'trailer', 'upgrade', 'transfer-encoding']
    expect([...hopByHop, ...more].filter((name) => hit.headers.get(name) !== null)).toEqual([])
  })
})
