/**
 * What scripts/package.mjs needs, bundled by scripts/build.mjs into dist/packaging.mjs: the
 * commander program (for the man pages), the package layout and the metadata renderers.
 */
export { buildProgram } from '../cli/program.js';
export { renderManPages } from '../cli/man.js';
export { VERSION } from '../util/version.js';
export { packageEntries, packagedUnits, OWNED_DIRS, PROGRAM, type Entry, type Target } from './layout.js';
export { renderDebian, renderRpmSpec } from './metadata.js';
