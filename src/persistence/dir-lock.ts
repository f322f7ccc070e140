import { dlopen, FFIType, read } from 'bun:ffi'
import { closeSync, constants, ftruncateSync, openSync, readSync, writeSync } from 'node:fs'
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

/** The PID the lock file names, if it holds one (read from at most a few bytes: it is not ours to trust). */
function readHolder(fd: number): string | undefined {
  const bytes = new Uint8Array(24)
  const text = new TextDecoder().decode(bytes.subarray(0, readSync(fd, bytes, 0, bytes.byteLength, 0))).trim()
  return /^\d{1,10}$/.test(text) ? text : undefined
}

const errnoName = (errno: number) => Object.entries(os.errno).find(([, value]) => value === errno)?.[0] ?? `errno ${errno}`

/** An exclusive lock on a data directory, held until release() or the end of the process. */
export class DirectoryLock {
  private constructor(private fd: number | null) {}

  /** Takes the lock, or throws naming the directory and, when it can be read, the PID that holds it. */
  static acquire(dir: string): DirectoryLock {
    const path = join(dir, LOCK_FILE)
    let fd: number
    try {
      // Never through a symbolic link: the file is truncated below, and that must not reach another file.
      fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o644)
    } catch (error) {
      throw new PersistenceError(`cannot lock the data directory ${dir}: ${(error as Error).message}`)
    }
    libc ??= loadLibc()
    if (libc.flock(fd, LOCK_EX | LOCK_NB) !== 0) {
      const errno = libc.errno()
      const holder = readHolder(fd)
      closeSync(fd)
      if (errno === os.errno.EWOULDBLOCK) {
        const by = holder === undefined ? '' : ` (PID ${holder})`
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
