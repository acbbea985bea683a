/**
 * The test harness as one module: vitest tests may import it, and the build bundles it into
 * dist/test-harness.mjs so plain-node scripts (demo, bench) use the same generator, MariaDB and shim.
 */
export { startMariaDb, seedMailDatabases, tableRowCounts, type MariaDb } from './mariadb.js';
export { installDockerShim, shimSourceDir, type ContainerSpec, type ContainerState, type DockerShim, type DockerShimOptions } from './docker-shim.js';
export { mountLoopExt4, mountTmpfs, type Mounted } from './mount.js';
export {
  generateMailTree, simulateDay, domainName, localPart, FOLDERS, VMAIL_UID, VMAIL_GID, COMPOSE_CONTAINERS, DEFAULT_UNTIL,
  type MailTreeOptions, type MailTreeInfo, type MailUser, type FolderInfo, type DayOptions, type DayResult,
} from './mailtree.js';
export { splitName, withFlags } from './mailtree-message.js';
export { createFixture, type Fixture, type FixtureOptions, type RunResult } from './fixture.js';
export { repoRoot, cliPath, deepMerge, type Patch } from './paths.js';
export { createRng, type Rng } from './prng.js';
export { prepareDestination } from '../../src/repository/marker.js';
