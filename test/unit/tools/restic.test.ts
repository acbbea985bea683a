/** restic's failure messages, URL redaction and environment files. */
import { describe, expect, it } from 'vitest';
import { classifyResticError, parseEnvironmentFile, redactUrl } from '../../../src/tools/restic.js';

describe('restic adapter parsing', () => {
  it("classifies restic 0.14's messages", () => {
    expect(classifyResticError('Fatal: wrong password or no key found')).toBe('wrong-password');
    expect(classifyResticError('Fatal: unable to open config file: client.Head: Head "http://127.0.0.1:1/config": dial tcp 127.0.0.1:1: connect: connection refused\nIs there a repository at the following location?')).toBe('unreachable');
    expect(classifyResticError('Fatal: unable to open config file: Stat: stat /x/config: no such file or directory\nIs there a repository at the following location?')).toBe('no-repository');
    expect(classifyResticError('unable to remove <snapshot/d2bde4f172> from the repository\nblob not removed, server response: 403 Forbidden (403)')).toBe('forbidden');
    expect(classifyResticError('Fatal: unable to create lock in backend: repository is already locked by PID 1')).toBe('locked');
  });
  it('masks a password in a URL', () => {
    expect(redactUrl('rest:https://user:secret@host:8000/repo')).toBe('rest:https://user:***@host:8000/repo');
    expect(redactUrl('s3:https://s3.example.com/bucket')).toBe('s3:https://s3.example.com/bucket');
  });
  it('reads KEY=VALUE environment files', () => {
    expect(parseEnvironmentFile('# S3\nexport AWS_ACCESS_KEY_ID=AK\nAWS_SECRET_ACCESS_KEY="s e"\n\n', 'f')).toEqual({ AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 's e' });
    expect(() => parseEnvironmentFile('oops', 'f')).toThrow(/f line 1: expected KEY=VALUE/);
  });
});
