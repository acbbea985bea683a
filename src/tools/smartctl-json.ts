/**
 * What `smartctl -j -a` prints for ATA (direct or through a SAT USB bridge), NVMe and SCSI
 * drives, parsed into a summary (pure). status/smart.ts judges it.
 */
export interface SmartSummary {
  device: string;
  /** smartctl's device type, e.g. "sat", "nvme", "scsi" */
  type?: string;
  model?: string;
  serial?: string;
  /** smart_status.passed; undefined when smartctl could not read it */
  passed?: boolean;
  reallocatedSectors?: number;
  pendingSectors?: number;
  temperatureC?: number;
  powerOnHours?: number;
  /** smartctl's exit status bit mask */
  exitStatus?: number;
  /** smartctl's own messages (errors first) */
  messages: string[];
}

interface AtaAttribute {
  id: number;
  name?: string;
  raw?: { value?: number; string?: string };
}

/** The leading number of a raw value: "2725 (151 234 0)" is 2725 hours, not the packed raw.value. */
function rawNumber(a: AtaAttribute | undefined): number | undefined {
  if (!a?.raw) return undefined;
  const m = /^\s*(\d+)/.exec(a.raw.string ?? '');
  return m ? Number(m[1]) : a.raw.value;
}

/** The parts of smartctl's JSON read here; all optional, as drives and smartctl versions differ. */
export interface SmartctlJson {
  device?: { name?: string; type?: string };
  model_name?: string;
  scsi_model_name?: string;
  serial_number?: string;
  smart_status?: { passed?: unknown };
  ata_smart_attributes?: { table?: AtaAttribute[] };
  nvme_smart_health_information_log?: { temperature?: number; power_on_hours?: number };
  scsi_grown_defect_list?: number;
  temperature?: { current?: number };
  power_on_time?: { hours?: number };
  smartctl?: { exit_status?: number; messages?: { string: string }[] };
}

type Json = SmartctlJson | null | undefined;

export function parseSmartctl(json: Json, device: string): SmartSummary {
  const table: AtaAttribute[] = json?.ata_smart_attributes?.table ?? [];
  const attr = (id: number) => table.find((a) => a.id === id);
  const nvme = json?.nvme_smart_health_information_log;
  const messages = (json?.smartctl?.messages ?? []).map((m) => m.string);
  return {
    device: json?.device?.name ?? device,
    type: json?.device?.type,
    model: json?.model_name ?? json?.scsi_model_name,
    serial: json?.serial_number,
    passed: typeof json?.smart_status?.passed === 'boolean' ? json.smart_status.passed : undefined,
    reallocatedSectors: rawNumber(attr(5)) ?? json?.scsi_grown_defect_list,
    pendingSectors: rawNumber(attr(197)),
    temperatureC: json?.temperature?.current ?? nvme?.temperature ?? rawNumber(attr(194)) ?? rawNumber(attr(190)),
    powerOnHours: json?.power_on_time?.hours ?? nvme?.power_on_hours ?? rawNumber(attr(9)),
    exitStatus: json?.smartctl?.exit_status,
    messages,
  };
}

/**
 * True when smartctl could not tell what the device is: typically a USB bridge it does not know
 * ("Unknown USB bridge", "Unable to detect device type"). Most of those speak SAT, so the caller
 * retries once with `-d sat`.
 */
export function needsDeviceType(json: Json): boolean {
  const status = json?.smartctl?.exit_status ?? 0;
  const text = (json?.smartctl?.messages ?? []).map((m) => m.string).join('\n');
  return (status & 0b11) !== 0 && /unknown usb bridge|unable to detect device type|specify device type/i.test(text);
}
