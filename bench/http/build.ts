// The binary the benchmarks measure: dist/fastcache built from the working tree (or, when asked, the one
// already there), and the words the reports use to say which source it came from.
import { run } from './procs'
import { ROOT } from './servers'

/** --skip-build or BENCH_SKIP_BUILD=1, for the benchmarks that offer --skip-build. */
export const skipBuildAsked = (flag: boolean | undefined) => flag === true || process.env.BENCH_SKIP_BUILD === '1'

/** The commit the binary is built from, and whether src/ had uncommitted changes. */
async function sourceState(): Promise<string> {
  try {
    const head = (await run(['git', 'rev-parse', '--short', 'HEAD'], { cwd: ROOT })).trim()
    const dirty = (await run(['git', 'status', '--porcelain', '--', 'src', 'bun.lock'], { cwd: ROOT })).trim() !== ''
    return dirty ? `${head} with uncommitted changes` : head
  } catch {
    return 'unknown (not a git checkout)'
  }
}

/**
 * Builds dist/fastcache (`bun run build`), or with `skip` leaves it as it is, and returns what the report
 * says it was built from. The source tree may move while others work in it, so that is read at build time.
 */
export async function buildFastcache(skip: boolean, log: (message: string) => void): Promise<string> {
  const commit = await sourceState()
  if (skip) {
    log('using dist/fastcache as it is (build skipped)')
    // Then the binary may be older than the source: say so rather than claim a commit.
    return `an existing dist/fastcache (build skipped; source at ${commit})`
  }
  log(`building dist/fastcache (bun run build) from ${commit}`)
  await run(['bun', 'run', 'build'], { cwd: ROOT })
  return commit
}
