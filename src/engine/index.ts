/**
 * The snapshot engine's public face (docs/architecture.md): the backup pipeline calls only these.
 * The flow: sync/ (one component: scan/ → link/ → copy/ → complete/), then manifest/ (the
 * snapshot's manifest from every component's part), with hash/ hashing what was copied.
 */
export type { ComponentSpec, ComponentSyncResult, SyncOptions, ManifestResult } from './types.js';
export { createHashPool, sha256File, HASH_CHUNK, type HashPool } from './hash/pool.js';
export { createFsPool, type FsPool } from './scan/fs-pool.js';
export { type ComponentPart } from './manifest/component-part.js';
export { syncComponent } from './sync/sync.js';
export { writeManifest } from './manifest/manifest.js';
export { readManifestIndex, readManifestIndexSync, walkSnapshotFiles, isSnapshotMetadata } from './manifest/manifest-index.js';
export { type IndexEntry, sha256sumLine, compareBytes } from '../repository/manifest-format.js';
