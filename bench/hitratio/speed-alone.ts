/** `bun run bench/hitratio/speed-alone.ts [--baseline COMMIT] [--rounds N]`: the speed section alone, printed. */
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { currentVersion, versionAt } from './baseline'
import { speedSection } from './report'
import { DEFAULT_SPEED, runSpeed } from './speed'

const { values } = parseArgs({ args: Bun.argv.slice(2), options: { baseline: { type: 'string' }, rounds: { type: 'string' } } })
const versions = values.baseline ? { current: await currentVersion(), baseline: await versionAt(values.baseline) } : undefined
const options = { ...DEFAULT_SPEED, ...(values.rounds ? { rounds: Number(values.rounds) } : {}) }
const before = loadavg()[0]!.toFixed(2)
const result = runSpeed(options, (message) => process.stderr.write(`${message}\n`), versions)
console.log(`1-minute load average ${before} at the start, ${loadavg()[0]!.toFixed(2)} at the end.\n`)
console.log(speedSection(result))
