import { describe, expect, it } from 'vitest';
import { sendmailArgs } from '../../../src/tools/sendmail.js';

describe('sendmailArgs', () => {
  it('keeps addresses from being read as sendmail options', () => {
    expect(sendmailArgs({ from: 'b@example.com', to: ['-oQ@x', 'a@example.com'] })).toEqual(['-i', '-f', 'b@example.com', '--', '-oQ@x', 'a@example.com']);
  });
});
