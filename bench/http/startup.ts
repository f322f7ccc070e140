// Start-up, idle RSS and binary size, by running the project's own bench/startup.ts (so both
// reports measure the same way) and reading the JSON line it prints.
import { resolve } from 'node:path'
import { run } from './procs'
import { ROOT } from './servers'

export interface StartupResult {
  runs: number
  medianFirstOkMs: number
  minFirstOkMs: number
  medianIdleRssMiB: number
  binaryMiB: number
}

export async function measureStartup(runs: number): Promise<StartupResult> {
  const out = await run([process.execPath, resolve(ROOT, 'bench/startup.ts'), String(runs)], { cwd: ROOT })
  const line = out
    .trim()
    .split('\n')
    .findLast((l) => l.startsWith('{'))
  if (line === undefined) throw new Error(`bench/startup.ts printed no JSON:\n${out}`)
  return JSON.parse(line) as StartupResult
}
