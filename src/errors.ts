/**
 * Exit codes are a contract (docs/exit-codes.md): cron, Nagios and runbooks read them.
 * Every failure class is one error type carrying its code; src/cli maps them once.
 */
export const ExitCode = {
  OK: 0,
  WARNING: 1,
  FAILED: 2,
  UNKNOWN: 3,
  USAGE: 64,
  INTERNAL: 70,
  LOCKED: 75,
  CONFIG: 78,
  INTERRUPTED: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** What an exit code tells the admin: the one reading the mail, the summary and the logs share. */
export type RunOutcome = 'OK' | 'WARNING' | 'FAILED' | 'INTERRUPTED';

export function outcomeOf(exitCode: number): RunOutcome {
  if (exitCode === ExitCode.INTERRUPTED) return 'INTERRUPTED';
  if (exitCode === ExitCode.OK) return 'OK';
  if (exitCode === ExitCode.WARNING) return 'WARNING';
  return 'FAILED';
}

export class MailbackupError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.FAILED,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad command line: unknown snapshot spec, conflicting flags, unsafe path argument. */
export class UsageError extends MailbackupError {
  constructor(message: string) {
    super(message, ExitCode.USAGE);
  }
}

/** The config file is missing, unreadable or invalid. */
export class ConfigError extends MailbackupError {
  constructor(message: string) {
    super(message, ExitCode.CONFIG);
  }
}

/** Another mailbackup process holds the destination lock. */
export class LockHeldError extends MailbackupError {
  constructor(message: string) {
    super(message, ExitCode.LOCKED);
  }
}

/** The destination is not usable: no marker, not mounted, not writable. */
export class DestinationError extends MailbackupError {
  constructor(message: string) {
    super(message, ExitCode.FAILED);
  }
}

/** The snapshot asked for was deleted by a rotation while the command started (nothing was read). */
export class SnapshotDeletedError extends MailbackupError {
  constructor(message: string) {
    super(message, ExitCode.FAILED);
  }
}

/**
 * The backup disk failed under the run: a flush (syncfs) or a read-back returned an I/O error,
 * the filesystem went read-only or recorded errors, or the mount went away. Nothing written in
 * this run counts; earlier snapshots are left as they are.
 */
export class DiskFaultError extends MailbackupError {
  constructor(message: string) {
    super(message, ExitCode.FAILED);
  }
}

/** A required external program is missing or unusable. */
export class ToolError extends MailbackupError {
  /** `detail`: the program's whole stderr, for the log file; the message carries one line of it */
  constructor(
    message: string,
    readonly detail?: string,
  ) {
    super(message, ExitCode.FAILED);
  }
}

/** A step failed in a way a retry may fix (connection refused, container restarting). */
export class TransientError extends MailbackupError {
  constructor(message: string) {
    super(message, ExitCode.FAILED);
  }
}

/**
 * The container a step runs in is stopped, missing or restarting. Retried (compose or a restart
 * policy may bring it back); the message of the last attempt names the state and how to look.
 */
export class ContainerDownError extends TransientError {
  constructor(
    message: string,
    readonly state: 'stopped' | 'missing' | 'restarting',
  ) {
    super(message);
  }
}

/** Damage found in a snapshot (verify, drill) or a failed backup run. */
export class DamageError extends MailbackupError {
  constructor(message: string) {
    super(message, ExitCode.FAILED);
  }
}

/** An offsite (restic) repository cannot be reached, opened or written: names it and what to check. */
export class OffsiteError extends MailbackupError {
  constructor(message: string) {
    super(message, ExitCode.FAILED);
  }
}

/** SIGINT/SIGTERM: the command cleaned up and stopped. */
export class InterruptedError extends MailbackupError {
  constructor(message = 'interrupted; partial work was cleaned up') {
    super(message, ExitCode.INTERRUPTED);
  }
}

/** A mail the command exists to send (report --mail) that no transport delivered. */
export class DeliveryError extends MailbackupError {
  constructor(message: string) {
    super(message, ExitCode.FAILED);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
