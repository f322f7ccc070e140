// A typed round trip through openapi-fetch, a client nobody here wrote, over types that
// openapi-typescript generated from the served document into ./api.ts (test/e2e/generated-client.test.ts).
// It is type-checked before it runs: a call the document does not allow fails the check.
import createClient from 'openapi-fetch'
import type { components, paths } from './api'

type WriteReply = components['schemas']['WriteReply']

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`round trip: ${what}`)
}

/** Runs put, get, conditional put, incr, batch, list and delete; returns what each step saw. */
export async function roundTrip(baseUrl: string): Promise<string[]> {
  const client = createClient<paths>({ baseUrl })
  const seen: string[] = []
  const key = { path: { key: 'user:42' } }

  const put = await client.PUT('/v1/kv/{key}', { params: { ...key, query: { ttl: '10m' } }, body: { name: 'Ada' } })
  const written: WriteReply | undefined = put.data
  check(put.response.status === 201 && written?.key === 'user:42', 'put creates the key')
  const version: number = written!.version
  seen.push(`put ${put.response.status} etag ${put.response.headers.get('etag') === `"${version}"`}`)

  const got = await client.GET('/v1/kv/{key}', { params: key })
  seen.push(`get ${got.response.status} ${JSON.stringify(got.data)}`)

  const meta = await client.GET('/v1/kv/{key}', { params: { ...key, query: { meta: '' } } })
  const metadata = meta.data as components['schemas']['MetaReply']
  seen.push(`meta ${metadata.version === version} ${metadata.contentType}`)

  const ifMatch = { ...key, header: { 'If-Match': `"${version}"` } }
  const swapped = await client.PUT('/v1/kv/{key}', { params: ifMatch, body: { name: 'Ada', langs: ['en'] } })
  check(swapped.data !== undefined && swapped.data.version > version, 'the conditional put replaces the value')
  const stale = await client.PUT('/v1/kv/{key}', { params: ifMatch, body: { name: 'Grace' } })
  // The error is typed by the document: the codes a 412 can carry.
  seen.push(`conditional put ${swapped.response.status}, then ${stale.response.status} ${stale.error?.error.code}`)

  const incremented = await client.POST('/v1/incr/{key}', { params: { path: { key: 'visits' } }, body: { by: 5, ttl: '1h' } })
  const count: number | undefined = incremented.data?.value
  seen.push(`incr ${incremented.response.status} ${count}`)

  const batch = await client.POST('/v1/batch', {
    body: {
      ops: [
        { op: 'set', key: 'cfg', value: { theme: 'dark' }, ttl: '10m' },
        { op: 'incr', key: 'visits' },
        { op: 'get', key: 'cfg' },
        { op: 'del', key: 'absent' },
      ],
    },
  })
  seen.push(`batch ${batch.data?.results.map((result) => result.status).join(' ')}`)

  const listed = await client.GET('/v1/keys', { params: { query: { prefix: 'user:', limit: 10 } } })
  seen.push(`list ${JSON.stringify(listed.data?.keys)} ${listed.data?.cursor}`)

  const deleted = await client.DELETE('/v1/kv/{key}', { params: key })
  const gone = await client.DELETE('/v1/kv/{key}', { params: key })
  seen.push(`delete ${deleted.response.status}, then ${gone.response.status} ${gone.error?.error.code}`)

  // The types say what may not be sent: a wrong field type, an unknown path.
  // @ts-expect-error by is an integer
  if (baseUrl === '') await client.POST('/v1/incr/{key}', { params: { path: { key: 'k' } }, body: { by: 'one' } })
  // @ts-expect-error no such path
  if (baseUrl === '') await client.GET('/v1/nope')
  return seen
}
