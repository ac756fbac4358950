// Failed writes: the error names the file; with a sink the caller goes on; logged once per streak.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FileError, naming } from '../../src/store/file-error.js';
import { tolerantWrite, WriteFailures, type WrittenFile } from '../../src/store/write-errors.js';

// /dev/full answers every write with ENOSPC: a real full disk for one file.
const writeFull = (): void => naming('write', '/dev/full', () => writeFileSync('/dev/full', 'x'));

describe('failed writes', () => {
  it('a write to a full device is a FileError naming the file, in one line', () => {
    expect(writeFull).toThrow(FileError);
    expect(writeFull).toThrow(/^cannot write \/dev\/full: no space left on device$/);
  });

  it('without a sink the failure throws; with one it is handed over and the caller goes on', () => {
    expect(() => tolerantWrite('report', undefined, writeFull)).toThrow(FileError);
    const counted: WrittenFile[] = [];
    const logged: string[] = [];
    const recovered: WrittenFile[] = [];
    const writes = new WriteFailures({
      count: (f) => counted.push(f),
      log: (m, f) => logged.push(`${f}: ${m}`),
      recovered: (f) => recovered.push(f),
    });
    expect(tolerantWrite('report', writes, writeFull)).toBe(false);
    expect(tolerantWrite('report', writes, writeFull)).toBe(false);
    expect(tolerantWrite('state', writes, writeFull)).toBe(false);
    expect(counted).toEqual(['report', 'report', 'state']);
    expect(logged).toEqual([
      'report: cannot write /dev/full: no space left on device',
      'state: cannot write /dev/full: no space left on device',
    ]);
    expect(tolerantWrite('report', writes, () => undefined)).toBe(true);
    expect(recovered).toEqual(['report']);
    expect(tolerantWrite('report', writes, writeFull)).toBe(false);
    expect(logged).toHaveLength(3);
    expect(writes.drain()).toHaveLength(4);
    expect(writes.drain()).toEqual([]);
  });

  it('an error without a path (an append) is named by the file it was for', () => {
    const logged: string[] = [];
    const writes = new WriteFailures({ log: (m) => logged.push(m) });
    writes.failed(
      'history',
      Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }),
    );
    expect(logged).toEqual(['cannot write history: no space left on device']);
  });
});
