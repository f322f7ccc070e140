/**
 * Lets through at most `perSecond` calls a second and counts the rest, so a flood (a client
 * retrying with a wrong token) cannot fill the log; the next call let through carries the count of
 * those it held back.
 */
export function rateLimited(perSecond: number, emit: (suppressed: number) => void, now = () => performance.now()): () => void {
  let windowStart = -Infinity
  let inWindow = 0
  let suppressed = 0
  return () => {
    const at = now()
    if (at - windowStart >= 1000) {
      windowStart = at
      inWindow = 0
    }
    if (inWindow >= perSecond) {
      suppressed++
      return
    }
    inWindow++
    emit(suppressed)
    suppressed = 0
  }
}
