// The house rules as a linter: sizes on src/, type-aware
// correctness everywhere, no focused or skipped tests. Run with `npm run lint`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Blank lines and comments do not count: the limits are about code a reader has to follow.
const SIZE = { skipBlankLines: true, skipComments: true };

// Correctness rules that hold for src/ and test/ alike.
const correctness = {
  '@typescript-eslint/no-floating-promises': 'error',
  '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
  '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
  // Every command has one async signature; one that needs no await stays async to keep it.
  '@typescript-eslint/require-await': 'off',
  // A closure declared first may read a `let` assigned once later (verify's report and its phase).
  'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
  // Template literals with numbers and other printable values are the house way to build messages.
  '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
};

const NODE_GLOBALS = Object.fromEntries(
  ['process', 'console', 'URL', 'Buffer', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate'].map((name) => [name, 'readonly']),
);

// A focused or skipped test silently shrinks the suite (house rule: no it.skip or .only).
const noFocusedOrSkipped = ['it', 'describe', 'test'].flatMap((object) =>
  ['only', 'skip'].map((property) => ({ object, property, message: `${object}.${property} leaves tests out; remove it.` })),
);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench-results/**', 'build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['vitest.config.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: correctness,
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 200, ...SIZE }],
      'max-lines-per-function': ['error', { max: 60, ...SIZE }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      'no-restricted-properties': ['error', ...noFocusedOrSkipped],
      // expect(mock.method) and vitest's own helpers pass methods around on purpose.
      '@typescript-eslint/unbound-method': 'off',
      // Tests read JSON the CLI printed and assert its shape with expect(); typing each is noise.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Plain JavaScript (build, bench and demo scripts, this file): no type information to use.
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: NODE_GLOBALS },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/consistent-type-imports': 'off' },
  },
);
