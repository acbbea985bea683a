/**
 * smartctl adapter: `smartctl -j -a DEVICE`, retried once with `-d sat` when smartctl says it
 * cannot tell the device type (USB bridges). Also finds the disk holding a path (findmnt + lsblk,
 * both util-linux) so `status --smart` needs no device in the config.
 */
import { ToolError } from '../errors.js';
import { needsDeviceType, parseSmartctl, type SmartctlJson, type SmartSummary } from './smartctl-json.js';
import { run } from './shell.js';

async function smartctlJson(args: string[]): Promise<SmartctlJson> {
  const r = await run('smartctl', ['-j', '-a', ...args], { normalPriority: true, timeoutMs: 60_000 });
  try {
    return JSON.parse(r.stdout) as SmartctlJson;
  } catch {
    throw new ToolError(`smartctl ${args.join(' ')} gave no JSON (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().slice(0, 300)}; smartmontools 7 or newer is needed`);
  }
}

export async function readSmart(device: string): Promise<SmartSummary> {
  let json = await smartctlJson([device]);
  if (needsDeviceType(json)) json = await smartctlJson(['-d', 'sat', device]);
  return parseSmartctl(json, device);
}

/** The whole disk (e.g. /dev/sdb) under the filesystem holding `path`. */
export async function deviceForPath(path: string): Promise<string> {
  const mnt = await run('findmnt', ['-n', '-o', 'SOURCE', '--target', path], { normalPriority: true });
  const source = mnt.stdout.trim().split('\n')[0]?.replace(/\[.*\]$/, '');
  if (mnt.exitCode !== 0 || !source?.startsWith('/dev/')) {
    throw new ToolError(`cannot tell which disk holds ${path} (findmnt: ${source || mnt.stderr.trim() || 'nothing'}); pass --smart-device /dev/sdX`);
  }
  const parent = await run('lsblk', ['-n', '-d', '-o', 'PKNAME', source], { normalPriority: true });
  const pk = parent.stdout.trim();
  return pk ? `/dev/${pk}` : source;
}
