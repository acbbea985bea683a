/** Moved to src/util/version.ts (backup.json records it); kept so existing imports still compile. */
export { VERSION } from '../util/version.js';
