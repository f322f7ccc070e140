import type { Logger } from './log/logger'
import { ignoreSignal } from './os/libc'

/** Signals that stop the server cleanly: drain, final snapshot, exit 0. QUIT too, as nginx has it. */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const
/** Signals whose default would end the process silently: logged and otherwise ignored. */
// Not SIGPWR: the JavaScript engine takes it for itself (to pause threads) and never passes it on.
export const IGNORED_SIGNALS = [
  'SIGUSR1',
  'SIGUSR2',
  'SIGPIPE',
  'SIGALRM',
  'SIGVTALRM',
  'SIGPROF',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGIO',
  'SIGTRAP',
  'SIGSYS',
] as const
/** Catchable, but Bun cannot install a handler: ignored through libc (it would end the process without a word). */
const SIGSTKFLT = 16

/**
 * Every catchable signal that would end the process gets a handler, so none ends it without a log
 * line: TERM, INT and QUIT stop it cleanly, HUP reloads, the rest are logged and ignored.
 */
export function handleSignals(logger: Logger, actions: { stop(signal: string): void; reload(): void }): void {
  for (const signal of STOP_SIGNALS) process.on(signal, () => actions.stop(signal))
  process.on('SIGHUP', () => actions.reload())
  for (const signal of IGNORED_SIGNALS) process.on(signal, () => logger.warn('signal ignored', { signal }))
  if (process.platform === 'linux') ignoreSignal(SIGSTKFLT)
}
