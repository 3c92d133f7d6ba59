import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The layering of ARCHITECTURE.md, enforced: each folder of src/ lists the folders it must not
 * import (the layers above it), and the pure layers may not touch the OS at all. One block per
 * folder, because a later block's `no-restricted-imports` replaces an earlier one's.
 */
const LAYERS_ABOVE = {
  model: [
    'schedule',
    'config',
    'platform',
    'state',
    'plan',
    'backends',
    'edit',
    'import',
    'run',
    'daemon',
    'apply',
    'services',
    'cli',
    'ui',
    'commands',
  ],
  schedule: [
    'config',
    'platform',
    'state',
    'plan',
    'backends',
    'edit',
    'import',
    'run',
    'daemon',
    'apply',
    'services',
    'cli',
    'ui',
    'commands',
  ],
  config: [
    'plan',
    'backends',
    'edit',
    'import',
    'run',
    'daemon',
    'apply',
    'services',
    'cli',
    'ui',
    'commands',
  ],
  platform: [
    'config',
    'state',
    'plan',
    'backends',
    'edit',
    'import',
    'run',
    'daemon',
    'apply',
    'services',
    'cli',
    'ui',
    'commands',
  ],
  state: [
    'plan',
    'backends',
    'edit',
    'import',
    'run',
    'daemon',
    'apply',
    'services',
    'cli',
    'ui',
    'commands',
  ],
  plan: ['edit', 'import', 'run', 'daemon', 'apply', 'services', 'cli', 'ui', 'commands'],
  backends: ['edit', 'import', 'run', 'apply', 'services', 'cli', 'ui', 'commands'],
  edit: [
    'state',
    'plan',
    'backends',
    'import',
    'run',
    'daemon',
    'apply',
    'services',
    'cli',
    'ui',
    'commands',
  ],
  import: ['run', 'daemon', 'apply', 'services', 'cli', 'ui', 'commands'],
  apply: ['import', 'run', 'daemon', 'services', 'cli', 'ui', 'commands'],
  daemon: ['import', 'apply', 'services', 'cli', 'ui', 'commands'],
  run: ['import', 'daemon', 'apply', 'ui', 'commands'],
  notify: ['import', 'daemon', 'apply', 'services', 'cli', 'ui', 'commands'],
  metrics: ['import', 'apply', 'services', 'cli', 'ui', 'commands'],
  mcp: ['ui', 'commands'],
  hooks: ['ui', 'commands'],
  services: ['cli', 'ui', 'commands'],
  cli: ['ui', 'commands'],
  ui: ['commands'],
};
const BACKENDS = ['crontab', 'embedded', 'kubernetes', 'launchd', 'systemd', 'windows'];
/** Modules that reach the OS: never in the pure layers. */
const OS_MODULES = ['fs', 'fs/promises', 'child_process', 'net', 'http', 'https', 'os'].flatMap((m) => [
  m,
  `node:${m}`,
]);
const PURE = ['model', 'schedule', 'plan'];

const upward = (layers) =>
  layers.map((layer) => ({
    group: [`../${layer}/*`, `../../${layer}/*`, `../${layer}`, `../../${layer}`],
    message: `ARCHITECTURE.md: this layer must not import src/${layer}/ (a higher layer).`,
  }));
const osBan = OS_MODULES.map((name) => ({
  name,
  message:
    'ARCHITECTURE.md: a pure layer does not touch the OS; take what you need as a parameter or a port (src/platform/ports.ts).',
}));
const otherBackends = (own) =>
  BACKENDS.filter((b) => b !== own).map((b) => ({
    group: [`../${b}/*`],
    message: `ARCHITECTURE.md: a backend does not reach into another backend (src/backends/${b}/).`,
  }));

/**
 * What a backend may import: the layers below it, plus the import layer's shared, type-only
 * vocabulary (src/import/types.ts), because each backend's import reader (`<name>/import.ts`)
 * sits next to the adapter that runs the same CLI.
 */
const backendUpward = upward(LAYERS_ABOVE.backends).map((rule) =>
  rule.group.includes('../../import/*')
    ? { regex: '^(\\.\\./)+import(/(?!types\\.js$).*)?$', message: rule.message }
    : rule,
);

const layerBlocks = Object.entries(LAYERS_ABOVE).map(([layer, above]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': ['error', { paths: PURE.includes(layer) ? osBan : [], patterns: upward(above) }],
  },
}));
const backendBlocks = BACKENDS.flatMap((b) => [
  {
    files: [`src/backends/${b}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...backendUpward, ...otherBackends(b)] }],
    },
  },
  {
    // render and parse are pure: text in, text out.
    files: [`src/backends/${b}/render.ts`, `src/backends/${b}/parse.ts`],
    rules: {
      'no-restricted-imports': ['error', { paths: osBan, patterns: [...backendUpward, ...otherBackends(b)] }],
    },
  },
]);

export default tseslint.config(
  { ignores: ['dist/', 'dist-bench/', 'node_modules/', 'coverage/', 'test/**/fixtures/', 'test/golden/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: [
      'bin/**/*.js',
      'bench/**/*.{js,mjs}',
      'scripts/**/*.{js,mjs}',
      'examples/**/*.{js,mjs}',
      'eslint.config.js',
    ],
    languageOptions: { globals: globals.node },
  },
  {
    // The entry is CommonJS (bin/package.json), so that a scheduled run never starts node's ES
    // module loader: require() is how it loads the run bundle.
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layerBlocks,
  ...backendBlocks,
);
