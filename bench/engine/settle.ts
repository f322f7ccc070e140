// This process's own resident memory, measured the way bench/http/memory.ts measures a server's:
// after a full collection, sampled until it stops moving (the allocator gives pages back in steps).
import { rssKb } from '../http/procs'

export async function settledOwnRss(): Promise<number> {
  Bun.gc(true)
  let last = await rssKb(process.pid)
  for (let i = 0; i < 10; i++) {
    await Bun.sleep(300)
    Bun.gc(true)
    const now = await rssKb(process.pid)
    if (Math.abs(now - last) < 256) return now * 1024
    last = now
  }
  return last * 1024
}

/** The highest resident size this process has had (VmHWM), in bytes. */
export async function peakOwnRss(): Promise<number> {
  const status = await Bun.file(`/proc/${process.pid}/status`).text()
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]) * 1024
}
