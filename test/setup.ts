import { setDefaultTimeout } from 'bun:test'

// Every test is bounded; the binary end-to-end test sets its own, longer limit for the build.
setDefaultTimeout(10_000)
