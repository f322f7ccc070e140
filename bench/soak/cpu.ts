// CPU time, to tell a server that got slower per request from one that got less CPU: the server's own
// user + system time (/proc/PID/stat) and the whole machine's busy time (/proc/stat), both in clock ticks.

/** Clock ticks per second of /proc's CPU times (USER_HZ): `getconf CLK_TCK`, 100 on every usual Linux. */
export const TICKS_PER_SECOND = (() => {
  try {
    const n = Number(Bun.spawnSync(['getconf', 'CLK_TCK'], { stdout: 'pipe', stderr: 'ignore' }).stdout.toString().trim())
    return Number.isInteger(n) && n > 0 ? n : 100
  } catch {
    return 100
  }
})()

/** utime + stime of a process in clock ticks. */
export async function processTicks(pid: number): Promise<number> {
  const stat = await Bun.file(`/proc/${pid}/stat`).text()
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // Fields 14 and 15 of the man page (utime, stime) are the 12th and 13th after the name.
  const ticks = Number(fields[11]) + Number(fields[12])
  if (!Number.isFinite(ticks)) throw new Error(`no CPU times for pid ${pid}`)
  return ticks
}

/** Total and busy clock ticks over all CPUs, from the first line of /proc/stat (idle + iowait count as not busy). */
export async function machineTicks(): Promise<{ total: number; busy: number }> {
  const line = (await Bun.file('/proc/stat').text()).split('\n')[0]!
  const fields = line.trim().split(/\s+/).slice(1).map(Number)
  const total = fields.reduce((a, b) => a + b, 0)
  return { total, busy: total - (fields[3] ?? 0) - (fields[4] ?? 0) }
}
