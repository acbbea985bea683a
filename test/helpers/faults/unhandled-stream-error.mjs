// Preloaded into the CLI by a test (NODE_OPTIONS=--import): once the command is under way, a
// read stream of a missing file is piped on with nobody listening for its 'error', the very
// pattern that killed the drill ("Unhandled 'error' event … ENOENT"). Test-only: never shipped.
import { createReadStream } from 'node:fs';
import { PassThrough } from 'node:stream';

setTimeout(() => {
  createReadStream('/nonexistent/mailbackup-fault/usermgmt.sql.gz').pipe(new PassThrough());
}, 200);
