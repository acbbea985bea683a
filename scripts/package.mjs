// `npm run package`: mailbackup_<version>_all.deb (dpkg-deb) and mailbackup-<version>-1.noarch.rpm
// (rpmbuild) from the single-file build. What goes in them is decided in src/packaging/ (bundled as
// dist/packaging.mjs); this script only stages the files and runs the two tools.
// Options: --version V (default package.json's), --out DIR (default dist/packages), --only deb|rpm.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const repo = resolve(dirname(new URL(import.meta.url).pathname), '..');
const { values: opts } = parseArgs({ options: { version: { type: 'string' }, out: { type: 'string' }, only: { type: 'string' } } });
for (const f of ['dist/mailbackup.mjs', 'dist/packaging.mjs']) {
  if (!existsSync(join(repo, f))) {
    console.error(`package: ${f} is missing; run \`npm run build\` first (\`npm run package\` does)`);
    process.exit(1);
  }
}
const p = await import(join(repo, 'dist/packaging.mjs'));
const version = opts.version ?? p.VERSION;
const out = resolve(opts.out ?? join(repo, 'dist/packages'));
const targets = opts.only ? [opts.only] : ['deb', 'rpm'];
// reproducible: the man pages' date and every mtime come from SOURCE_DATE_EPOCH when it is set
const epoch = Number(process.env.SOURCE_DATE_EPOCH ?? Math.floor(Date.now() / 1000));
const date = new Date(epoch * 1000).toISOString().slice(0, 10);

const manPages = p.renderManPages(p.buildProgram(async () => {}), { version, date });
const docs = readdirSync(join(repo, 'docs'), { recursive: true })
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`)
  .sort();

/** Writes every entry under `stage` with its mode; returns the installed size in KiB. */
function stageTree(stage, entries) {
  let bytes = 0;
  // every directory 0755 (a mode given to a recursive mkdir would reach /etc and /usr too), then the owned ones' own
  mkdirSync(stage, { recursive: true });
  chmodSync(stage, 0o755);
  for (const d of p.OWNED_DIRS) mkdirSync(join(stage, d.path), { recursive: true, mode: 0o755 });
  for (const d of p.OWNED_DIRS) chmodSync(join(stage, d.path), d.mode);
  for (const e of entries) {
    const dest = join(stage, e.path);
    mkdirSync(dirname(dest), { recursive: true });
    if (e.symlink) {
      symlinkSync(e.symlink, dest);
      continue;
    }
    let data = e.text !== undefined ? Buffer.from(e.text) : readFileSync(join(repo, e.from));
    if (e.gzip) data = gzipSync(data, { level: 9 }); // no name or mtime in the header: reproducible
    writeFileSync(dest, data);
    chmodSync(dest, e.mode);
    bytes += data.length;
  }
  execFileSync('find', [stage, '-exec', 'touch', '-h', '-d', `@${epoch}`, '{}', '+']);
  return Math.ceil(bytes / 1024);
}

function buildDeb(entries) {
  const stage = mkdtempSync(join(tmpdir(), 'mailbackup-deb-'));
  try {
    const installedKiB = stageTree(stage, entries);
    const deb = p.renderDebian({ version, installedKiB, entries });
    mkdirSync(join(stage, 'DEBIAN'), { mode: 0o755 });
    const md5 = entries
      .filter((e) => !e.symlink)
      .map((e) => `${createHash('md5').update(readFileSync(join(stage, e.path))).digest('hex')}  ${e.path.slice(1)}`);
    const files = { ...deb, md5sums: md5.join('\n') + '\n' };
    for (const [name, text] of Object.entries(files)) {
      writeFileSync(join(stage, 'DEBIAN', name), text);
      chmodSync(join(stage, 'DEBIAN', name), ['postinst', 'prerm', 'postrm'].includes(name) ? 0o755 : 0o644);
    }
    const file = join(out, `mailbackup_${version}_all.deb`);
    execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', stage, file], { stdio: ['ignore', 'ignore', 'inherit'] });
    return file;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

function buildRpm(entries) {
  const top = mkdtempSync(join(tmpdir(), 'mailbackup-rpm-'));
  try {
    const stage = join(top, 'stage');
    stageTree(stage, entries);
    const spec = join(top, 'mailbackup.spec');
    writeFileSync(spec, p.renderRpmSpec({ version, stage, entries }));
    execFileSync(
      'rpmbuild',
      ['--quiet', '-bb', '--define', `_topdir ${top}/build`, '--define', `_rpmdir ${out}`, '--define', '_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm', '--define', `source_date_epoch_from_changelog 0`, spec],
      { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) } },
    );
    return join(out, `mailbackup-${version}-1.noarch.rpm`);
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
}

mkdirSync(out, { recursive: true });
for (const target of targets) {
  const entries = p.packageEntries(target, { manPages, docs });
  const file = target === 'deb' ? buildDeb(entries) : buildRpm(entries);
  console.log(`${relative(process.cwd(), file) || file}  ${statSync(file).size.toLocaleString('en')} bytes, ${entries.length} files`);
}
