import { describe, expect, it } from 'vitest';
import { spawnStream, streamExit } from '../../../src/tools/shell.js';

describe('streamExit', () => {
  it("hands a streamed child's stderr back as text, not byte values", async () => {
    const child = spawnStream('sh', ['-c', 'echo "Error: 日本語 gone" >&2; exit 3'], { stdout: 'ignore' });
    const r = await streamExit(child, 'sh');
    expect(r.exitCode).toBe(3);
    expect(r.stderr.trimEnd()).toBe('Error: 日本語 gone');
    expect(`${r.stderr}`).not.toMatch(/^69,114/);
  });

  it('names a program that is not installed', async () => {
    await expect(streamExit(spawnStream('mailbackup-no-such-program', []), 'mailbackup-no-such-program')).rejects.toThrow(/cannot run mailbackup-no-such-program: [^]*is it installed and on PATH/);
  });
});
