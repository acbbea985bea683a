/**
 * SMART parsing on recorded `smartctl -j -a` output shapes (smartmontools 7.3): a healthy disk,
 * a failing one, and a USB bridge smartctl does not know until it is told `-d sat`.
 * The adapter test puts a stand-in smartctl on PATH that answers like the real one would.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { needsDeviceType, parseSmartctl, smartProblems } from '../../../src/status/smart.js';
import { readSmart } from '../../../src/tools/smartctl.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/smartctl/${name}.json`, import.meta.url), 'utf8'));
const tmp = mkdtempSync(join(tmpdir(), 'mb-smart-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('parseSmartctl', () => {
  it('reads health, sectors, temperature and power-on hours of a healthy disk: no problems', () => {
    const s = parseSmartctl(fixture('healthy'), '/dev/sdb');
    expect(s).toMatchObject({ device: '/dev/sdb', type: 'sat', model: 'WDC WD40NDZW-11A8JS1', passed: true, reallocatedSectors: 0, pendingSectors: 0, temperatureC: 34, powerOnHours: 12873 });
    expect(smartProblems(s)).toEqual([]);
  });

  it('flags a failing disk CRITICAL and its bad sectors WARNING', () => {
    const s = parseSmartctl(fixture('failing'), '/dev/sdc');
    expect(s).toMatchObject({ passed: false, reallocatedSectors: 3920, pendingSectors: 24, temperatureC: 41, powerOnHours: 52114, exitStatus: 88 });
    const p = smartProblems(s);
    expect(p.map((x) => `${x.key}=${x.state}`)).toEqual(['smart.health=CRITICAL', 'smart.sectors=WARNING']);
    expect(p[0].message).toContain('ST2000DM001-1CH164');
    expect(p[1].message).toContain('3920 reallocated and 24 pending sectors');
  });

  it('takes the leading number of packed raw values, not raw.value', () => {
    const s = parseSmartctl({ ata_smart_attributes: { table: [{ id: 9, raw: { value: 167031278144165, string: '2725 (151 234 0)' } }] }, smart_status: { passed: true } }, '/dev/sdd');
    expect(s.powerOnHours).toBe(2725);
  });

  it('says UNKNOWN, not healthy, when smartctl could not read the disk', () => {
    const s = parseSmartctl(fixture('usb-unknown-bridge'), '/dev/sdb');
    expect(s.passed).toBeUndefined();
    expect(smartProblems(s)).toEqual([expect.objectContaining({ key: 'smart.unreadable', state: 'UNKNOWN', message: expect.stringContaining('Unknown USB bridge') })]);
  });

  it('asks for -d sat only when smartctl cannot tell the device type', () => {
    expect(needsDeviceType(fixture('usb-unknown-bridge'))).toBe(true);
    expect(needsDeviceType(fixture('usb-sat'))).toBe(false);
    expect(needsDeviceType(fixture('failing'))).toBe(false); // exit 88: the disk answered, it is just bad
  });
});

describe('readSmart (adapter)', () => {
  it('retries an unknown USB bridge with -d sat and reads the disk behind it', async () => {
    const bin = join(tmp, 'bin');
    const calls = join(tmp, 'calls.log');
    const fixtures = new URL('../../fixtures/smartctl/', import.meta.url).pathname;
    rmSync(bin, { recursive: true, force: true });
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'smartctl'),
      `#!/bin/sh\necho "$*" >> ${calls}\ncase " $* " in\n  *" -d sat "*) cat ${fixtures}usb-sat.json; exit 0 ;;\n  *) cat ${fixtures}usb-unknown-bridge.json; exit 1 ;;\nesac\n`,
    );
    chmodSync(join(bin, 'smartctl'), 0o755);
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}:${oldPath}`;
    try {
      const s = await readSmart('/dev/sdb');
      expect(s).toMatchObject({ type: 'sat', model: 'ST5000LM000-2AN170', passed: true, powerOnHours: 3311, temperatureC: 29 });
      expect(readFileSync(calls, 'utf8').trim().split('\n')).toEqual(['-j -a /dev/sdb', '-j -a -d sat /dev/sdb']);
    } finally {
      process.env.PATH = oldPath;
    }
  });
});
