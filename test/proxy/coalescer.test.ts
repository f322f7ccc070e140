import { describe, expect, test } from 'bun:test'
import { Coalescer, waitFor } from '../../src/modules/proxy/coalescer'

describe('coalescing work by key', () => {
  test('work led for a key is found under way until it settles, then forgotten', async () => {
    const coalescer = new Coalescer<string>()
    let finish!: (value: string) => void
    const work = new Promise<string>((resolve) => (finish = resolve))
    coalescer.lead('k', work, 1000)
    expect(coalescer.pending('k')?.work).toBe(work)
    expect(coalescer.pending('other')).toBeUndefined()
    finish('done')
    expect(await waitFor(coalescer.pending('k')!, 0)).toBe('done')
    expect(coalescer.size).toBe(0)
  })

  test('failed work is forgotten too, and a newer lead for the key is not cleared by an older one', async () => {
    const coalescer = new Coalescer<string>()
    let fail!: (error: Error) => void
    const older = new Promise<string>((_, reject) => (fail = reject))
    older.catch(() => {})
    coalescer.lead('k', older, 1000)
    const newer = new Promise<string>(() => {})
    coalescer.lead('k', newer, 1000)
    fail(new Error('upstream down'))
    await older.catch(() => {})
    expect(coalescer.pending('k')?.work).toBe(newer)
  })

  test('a waiter gives up at the deadline plus its margin when the work has not settled', async () => {
    const coalescer = new Coalescer<string>()
    const never = new Promise<string>(() => {})
    coalescer.lead('k', never, 10)
    const waited = await Promise.race([waitFor(coalescer.pending('k')!, 10), Bun.sleep(1000).then(() => 'still waiting')])
    expect(waited).toBeUndefined()
  })
})
