import { describe, expect, test } from 'bun:test'
import { guardedBody } from '../../src/modules/proxy/client-body'

describe('an upstream body passed on to a client', () => {
  test('passes every chunk on and ends when the upstream ends', async () => {
    const upstream = new Response('all of it').body!
    expect(await new Response(guardedBody(upstream, () => {})).text()).toBe('all of it')
  })

  test('a failure mid-body is reported once and ends the client stream with no reason (Bun then prints nothing)', async () => {
    const reported: unknown[] = []
    let pulls = 0
    const upstream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulls++ === 0) controller.enqueue(new TextEncoder().encode('part'))
        else controller.error(new DOMException('The operation timed out.', 'TimeoutError'))
      },
    })
    const reader = guardedBody(upstream, (error) => reported.push(error)).getReader()
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('part')
    const failure = await reader.read().then(
      () => 'no error',
      (reason: unknown) => reason,
    )
    expect(failure).toBeUndefined()
    expect(reported).toHaveLength(1)
    expect((reported[0] as DOMException).name).toBe('TimeoutError')
  })
})
