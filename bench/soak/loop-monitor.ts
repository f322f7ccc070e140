// Preloaded into the server under test (through BUN_OPTIONS, which a compiled binary honours too): the
// event loop's delay, from node:perf_hooks' timer histogram, written every second to the file named
// by SOAK_LOOP_DELAY_FILE, so the figures survive however the server ends. Nothing else is touched.
import { writeFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'

/** What the file holds: milliseconds, over the server's life so far. */
export interface LoopDelay {
  p50Ms: number
  p99Ms: number
  p999Ms: number
  maxMs: number
  samples: number
}

const file = process.env.SOAK_LOOP_DELAY_FILE
if (file) {
  // A 10 ms timer, node's default: finer ones would add load of their own.
  const histogram = monitorEventLoopDelay({ resolution: 10 })
  histogram.enable()
  const ms = (ns: number) => ns / 1e6
  setInterval(() => {
    const delay: LoopDelay = {
      p50Ms: ms(histogram.percentile(50)),
      p99Ms: ms(histogram.percentile(99)),
      p999Ms: ms(histogram.percentile(99.9)),
      maxMs: ms(histogram.max),
      samples: histogram.count,
    }
    writeFileSync(file, JSON.stringify(delay))
  }, 1000).unref()
}
