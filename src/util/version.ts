declare const __MAILBACKUP_VERSION__: string;
/** Injected by the build (scripts/build.mjs) from package.json. */
export const VERSION = typeof __MAILBACKUP_VERSION__ === 'string' ? __MAILBACKUP_VERSION__ : '0.0.0-dev';
