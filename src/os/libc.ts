import { dlopen, FFIType, read } from 'bun:ffi'

// The few libc calls that neither node:fs nor Bun offer, through bun:ffi: flock (the data
// directory's lock) and signal (for a signal Bun cannot catch). Loaded on first use.

const darwin = process.platform === 'darwin'
const errnoSymbol = darwin ? '__error' : '__errno_location'

let symbols: ReturnType<typeof open> | undefined

function open() {
  return dlopen(darwin ? 'libSystem.B.dylib' : 'libc.so.6', {
    flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    signal: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.ptr },
    [errnoSymbol]: { args: [], returns: FFIType.ptr },
  }).symbols
}

const libc = () => (symbols ??= open())

export const LOCK_EX = 2
export const LOCK_NB = 4

/** flock(2): 0, or -1 with errno() set. */
export const flock = (fd: number, operation: number): number => libc().flock(fd, operation)

/** The calling thread's errno, right after a failed call. */
export const errno = (): number => read.i32((libc()[errnoSymbol] as () => number | null)()!, 0)

/** Sets a signal's disposition to SIG_IGN (1): for signals Bun cannot install a handler for. */
export function ignoreSignal(signal: number): void {
  libc().signal(signal, 1 as never)
}
