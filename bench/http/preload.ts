// Loads the key set key:0 .. key:(count-1) with values of `size` bytes: over HTTP PUT for the Bun
// servers, and straight into Redis with redis-cli --pipe for webdis (the data is what matters there).
import { start } from './procs'

export const KEY_PREFIX = 'key:'
export const MISS_PREFIX = 'miss:'

const FILLER = 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(128)

/** The value of key i: its index, then filler, exactly `size` ASCII bytes (so every server stores the same). */
export function valueFor(i: number, size: number): string {
  const head = `v${i}:`
  return (head + FILLER.repeat(Math.ceil(size / FILLER.length))).slice(0, size)
}

/**
 * PUTs every key as application/octet-stream with `concurrency` requests in flight (keep-alive
 * connections are pooled by fetch). Throws on the first non-2xx answer.
 */
export async function loadHttp(base: string, count: number, size: number, concurrency = 64): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < count) {
      const i = next++
      const response = await fetch(`${base}/v1/kv/${KEY_PREFIX}${i}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: valueFor(i, size),
      })
      if (response.status !== 201 && response.status !== 200) throw new Error(`PUT key ${i}: ${response.status} ${await response.text()}`)
      await response.arrayBuffer()
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

/** One SET in the Redis protocol (RESP); keys and values are ASCII, so lengths are string lengths. */
const setCommand = (key: string, value: string) => `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${value.length}\r\n${value}\r\n`

/** SETs every key through `redis-cli --pipe`, which waits for all replies and reports errors. */
export async function loadRedis(port: number, count: number, size: number): Promise<void> {
  const cli = start(['redis-cli', '-h', '127.0.0.1', '-p', String(port), '--pipe'], { stdin: 'pipe', stdout: 'pipe' })
  const sink = cli.stdin as import('bun').FileSink
  const CHUNK = 5000
  for (let from = 0; from < count; from += CHUNK) {
    let text = ''
    for (let i = from; i < Math.min(count, from + CHUNK); i++) text += setCommand(`${KEY_PREFIX}${i}`, valueFor(i, size))
    sink.write(text)
    await sink.flush()
  }
  await sink.end()
  const [out, code] = await Promise.all([new Response(cli.stdout as ReadableStream<Uint8Array>).text(), cli.exited])
  const summary = /errors: (\d+), replies: (\d+)/.exec(out)
  if (code !== 0 || summary === null || summary[1] !== '0' || Number(summary[2]) !== count) {
    throw new Error(`redis-cli --pipe: exit ${code}: ${out.trim()}`)
  }
}
