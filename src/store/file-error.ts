// Errors an operator can cause with the filesystem (full disk, permissions, a read-only mount):
// one line naming the file and what went wrong, never a stack trace.

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a parent is not a directory',
  EISDIR: 'is a directory',
  // mkdir over a regular file (what a recursive mkdir answers when a file is in the way).
  EEXIST: 'a file is in the way',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  EFBIG: 'file too large',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many symbolic links',
  EBUSY: 'resource busy',
};

/** The errno code of a Node.js filesystem error, or null. */
export function errnoCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : null;
}

/** Whether an operator's environment caused this (disk, permissions), not a bug in laneguard. */
export function isEnvironmentError(err: unknown): boolean {
  const code = errnoCode(err);
  return code !== null && code in REASONS;
}

/** `no space left on device`, `permission denied`, … (the code itself for the rare others). */
export function describeErrno(err: unknown): string {
  const code = errnoCode(err);
  if (code === null) return (err as Error)?.message ?? String(err);
  return REASONS[code] ?? code;
}

/** A read or write of a named file failed for a reason outside laneguard. The message is one line. */
export class FileError extends Error {
  readonly code: string | null;
  constructor(
    readonly action: 'read' | 'write' | 'create' | 'remove',
    readonly file: string,
    override readonly cause: unknown,
  ) {
    super(`cannot ${action} ${file}: ${describeErrno(cause)}`);
    this.name = 'FileError';
    this.code = errnoCode(cause);
  }
}

/** `err` as a FileError naming `file` when the environment caused it; other errors unchanged. */
export function asFileError(action: FileError['action'], file: string, err: Error): Error {
  return err instanceof FileError || !isEnvironmentError(err)
    ? err
    : new FileError(action, file, err);
}

/** Run `fn`; an environment error becomes a FileError naming `file`. Other errors pass through. */
export function naming<T>(action: FileError['action'], file: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof FileError || !isEnvironmentError(err)) throw err;
    throw new FileError(action, file, err);
  }
}
