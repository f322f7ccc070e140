import { closeSync, constants, ftruncateSync, openSync, readSync, writeSync } from 'node:fs'
import { constants as os } from 'node:os'
import { join } from 'node:path'
import { LOCK_EX, LOCK_NB, errno as lastErrno, flock } from '../os/libc'
import { PersistenceError } from './errors'

/** Holds the lock, and the holder's PID for the message another instance gives. Never deleted (see release). */
export const LOCK_FILE = 'fastcache.lock'

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
    // flock(2): the lock belongs to the open file, so the kernel drops it when the process ends in
    // any way, kill -9 included; nothing stale is left behind.
    if (flock(fd, LOCK_EX | LOCK_NB) !== 0) {
      const errno = lastErrno()
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
