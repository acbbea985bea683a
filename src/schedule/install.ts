/**
 * Writes the schedule files. `root` prefixes every path (tests, image builds) so nothing but
 * an explicit install touches the real /etc. Generated files are replaced whole, atomically.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../repository/atomic.js';

export interface InstallFile {
  /** absolute path as seen on the target system, e.g. /etc/cron.d/mailbackup */
  path: string;
  text: string;
}

export interface Installed {
  path: string;
  replaced: boolean;
}

export function installFiles(files: InstallFile[], root = '/'): Installed[] {
  return files.map((f) => {
    const path = join(root, f.path);
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    const replaced = existsSync(path);
    // cron ignores files in cron.d that group/others may write; systemd units are world-readable
    writeFileAtomic(path, f.text, 0o644);
    return { path, replaced };
  });
}
