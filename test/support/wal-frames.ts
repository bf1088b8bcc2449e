// Reads a SQLite write-ahead log file itself: how many frames (pages written) and commits it holds, so tests count writes without asking our code.
import { closeSync, openSync, readSync, statSync } from 'node:fs';

/**
 * The frames and commits of a SQLite write-ahead log. A frame is one page written, after a 24-byte
 * header (page number, database size after a commit or 0, two salts, two checksums); a commit is a
 * frame whose header carries a database size. Only frames with the log header's salts count: frames
 * left from before the log was started over are not the log's.
 */
export function walFrames(wal: string): { frames: number; commits: number } {
  const bytes = Buffer.alloc(statSync(wal).size);
  const fd = openSync(wal, 'r');
  try {
    readSync(fd, bytes, 0, bytes.length, 0);
  } finally {
    closeSync(fd);
  }
  if (bytes.length < 32) return { frames: 0, commits: 0 };
  const pageSize = bytes.readUInt32BE(8);
  const salts = bytes.subarray(16, 24);
  let frames = 0;
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= bytes.length; at += 24 + pageSize) {
    if (!bytes.subarray(at + 8, at + 16).equals(salts)) break;
    frames += 1;
    if (bytes.readUInt32BE(at + 4) !== 0) commits += 1;
  }
  return { frames, commits };
}
