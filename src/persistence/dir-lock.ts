import { dlopen, FFIType, read } from 'bun:ffi'
import { closeSync, constants, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs'
import { constants as os } from 'node:os'
import { join } from 'node:path'
import { PersistenceError } from './errors'

/** Holds the lock, and the holder's PID for the message another instance gives. Never deleted (see release). */
export const LOCK_FILE = 'fastcache.lock'

const LOCK_EX = 2
const LOCK_NB = 4

type Libc = { flock(fd: number, operation: number): number; errno(): number }
let libc: Libc | undefined

/**
 * flock(2) through bun:ffi: node:fs has no file locks. The lock belongs to the open file, so the
 * kernel drops it when the process ends in any way, kill -9 included; nothing stale is left behind.
 */
function loadLibc(): Libc {
  const darwin = process.platform === 'darwin'
  const errnoSymbol = darwin ? '__error' : '__errno_location'
  const { symbols } = dlopen(darwin ? 'libSystem.B.dylib' : 'libc.so.6', {
    flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    [errnoSymbol]: { args: [], returns: FFIType.ptr },
  })
  const errnoAddress = symbols[errnoSymbol] as () => number | null
  return { flock: (fd, operation) => symbols.flock(fd, operation), errno: () => read.i32(errnoAddress()!, 0) }
}

const errnoName = (errno: number) => Object.entries(os.errno).find(([, value]) => value === errno)?.[0] ?? `errno ${errno}`

/** An exclusive lock on a data directory, held until release() or the end of the process. */
export class DirectoryLock {
  private constructor(private fd: number | null) {}

  /** Takes the lock, or throws naming the directory and, when it can be read, the PID that holds it. */
  static acquire(dir: string): DirectoryLock {
    const path = join(dir, LOCK_FILE)
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644)
    libc ??= loadLibc()
    if (libc.flock(fd, LOCK_EX | LOCK_NB) !== 0) {
      const errno = libc.errno()
      closeSync(fd)
      if (errno === os.errno.EWOULDBLOCK) {
        const holder = readFileSync(path, 'utf8').trim()
        const by = /^\d+$/.test(holder) ? ` (PID ${holder})` : ''
        throw new PersistenceError(`the data directory ${dir} is in use by another fastcache${by}: one directory serves one instance`)
      }
      throw new PersistenceError(`cannot lock the data directory ${dir}: flock failed with ${errnoName(errno)}`)
    }
    ftruncateSync(fd, 0)
    writeSync(fd, `${process.pid}\n`, 0)
    return new DirectoryLock(fd)
  }

  /**
   * Closing the file drops the lock. The file stays: deleting it would let one instance lock the old
   * file (opened just before the deletion) while another creates and locks a new one.
   */
  release(): void {
    if (this.fd === null) return
    closeSync(this.fd)
    this.fd = null
  }
}
