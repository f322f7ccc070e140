// How busy the machine is apart from this benchmark: on a shared machine another job's load
// changes every figure, so the report says what the CPUs were doing just before and after.

/** Total and idle jiffies over all CPUs, from the first line of /proc/stat. */
async function cpuTimes(): Promise<{ total: number; idle: number }> {
  const line = (await Bun.file('/proc/stat').text()).split('\n')[0]!
  const fields = line.trim().split(/\s+/).slice(1).map(Number)
  // user nice system idle iowait irq softirq steal ...: idle + iowait count as not busy.
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0)
  return { total: fields.reduce((a, b) => a + b, 0), idle }
}

/** Percentage of all CPU time that was busy over the next `ms` milliseconds. */
export async function busyPercent(ms = 2000): Promise<number> {
  const a = await cpuTimes()
  await Bun.sleep(ms)
  const b = await cpuTimes()
  const total = b.total - a.total
  return total > 0 ? (100 * (total - (b.idle - a.idle))) / total : 0
}
