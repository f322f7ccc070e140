import { closeSync, constants, copyFileSync, fsyncSync, linkSync, openSync, rmSync } from 'node:fs'
import { open, rename, type FileHandle } from 'node:fs/promises'

/**
 * Every operation persistence changes the data directory with, in one place: tests put a full disk
 * or a crash at any one of them (test/persistence/), which a real disk cannot do on demand.
 */
export interface Files {
  /** 'w' creates or truncates; 'r+' opens an existing file for writing. */
  open(path: string, flags: 'w' | 'r+'): Promise<FileHandle>
  rename(from: string, to: string): Promise<void>
  /** Gives an existing file a second name (a damaged file kept aside); throws EEXIST when that name is taken. */
  link(existing: string, alias: string): void
  /** Deletes a file; a missing one is not an error. */
  remove(path: string): void
  /** fsync of a directory makes a rename, creation or unlink in it durable. */
  syncDirectory(dir: string): void
}

export const diskFiles: Files = {
  open: (path, flags) => open(path, flags),
  rename,
  link(existing, alias) {
    try {
      linkSync(existing, alias)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw error
      // A file system without hard links: a copy keeps the bytes just as well.
      copyFileSync(existing, alias, constants.COPYFILE_EXCL)
    }
  },
  remove: (path) => rmSync(path, { force: true }),
  syncDirectory(dir) {
    const fd = openSync(dir, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  },
}
