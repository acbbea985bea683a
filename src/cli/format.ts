/** Moved to src/util/format.ts (the core uses it too); kept so existing imports still compile. */
export * from '../util/format.js';
