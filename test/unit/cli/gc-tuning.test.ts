import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HEAP_FLAG_UP_TO_V8, HEAP_FLAGS } from '../../../src/cli/gc-tuning.js';

describe('gc-tuning', () => {
  it('the running node knows the heap flags the CLI sets, and the CLI prints nothing about them', () => {
    const major = Number(process.versions.v8.split('.')[0]);
    expect(major, 'a newer V8: check that the HEAP_FLAGS still exist, then raise HEAP_FLAG_UP_TO_V8').toBeLessThanOrEqual(HEAP_FLAG_UP_TO_V8);
    const options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    for (const flag of HEAP_FLAGS) expect(options).toContain(`  ${flag.split('=')[0]} (`);
    const r = spawnSync(process.execPath, ['dist/mailbackup.mjs', '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });
});
