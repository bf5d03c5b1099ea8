// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';

/**
 * The folder structure is the architecture. These rules keep dependencies pointing one way:
 * protocol imports nothing of ours, common only protocol; hardware imports only protocol/common; the three
 * components (kiosk, edge-hub, cloud-relay) never import each other. Only cli/, test/ and bench/
 * wire components together.
 */
const component = (name) => ({ group: [`**/${name}/**`, `${name}/**`], message: `must not import ${name}/` });
const boundaries = {
  'protocol/**': ['common', 'hardware', 'kiosk', 'edge-hub', 'cloud-relay', 'cli'],
  'common/**': ['hardware', 'kiosk', 'edge-hub', 'cloud-relay', 'cli'],
  'hardware/**': ['kiosk', 'edge-hub', 'cloud-relay', 'cli'],
  'kiosk/**': ['edge-hub', 'cloud-relay', 'cli'],
  'edge-hub/**': ['kiosk', 'hardware', 'cloud-relay', 'cli'],
  'cloud-relay/**': ['kiosk', 'hardware', 'edge-hub', 'cli'],
};

/** Inside kiosk/, a file's environment is its folder: renderer code never reaches main or preload. */
const kioskEnvironments = {
  'kiosk/common/**': ['main', 'preload', 'renderer'],
  'kiosk/renderer/**': ['main', 'preload'],
  'kiosk/preload/**': ['main', 'renderer'],
  'kiosk/main/**': ['preload', 'renderer'],
};

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'coverage/**', 'test-results/**', '.genkan-demo/**', 'dist/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  ...Object.entries(boundaries).map(([files, banned]) => ({
    files: [files],
    rules: { 'no-restricted-imports': ['error', { patterns: banned.map(component) }] },
  })),
  ...Object.entries(kioskEnvironments).map(([files, banned]) => ({
    files: [files],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...['edge-hub', 'cloud-relay', 'cli'].map(component),
            ...banned.map((env) => ({
              group: [`**/kiosk/${env}/**`, `../${env}/**`, `../../${env}/**`],
              message: `kiosk/${files.split('/')[1] ?? ''} code must not import kiosk/${env}`,
            })),
          ],
        },
      ],
    },
  })),
  {
    files: ['kiosk/renderer/**/*.{ts,tsx}', 'edge-hub/tablet/**/*.{ts,tsx}', 'edge-hub/admin/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
  },
  {
    // The tablet app runs in the browser: the wire contract only (protocol/index.ts pulls in Node code).
    files: ['edge-hub/tablet/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...['common', 'hardware', 'kiosk', 'cloud-relay', 'cli'].map(component),
            {
              group: ['../*.ts', '../../edge-hub/*'],
              message: 'tablet app code must not import hub server code',
            },
            {
              group: ['**/protocol/index.ts'],
              message: 'import protocol/tablet.ts or primitives.ts directly',
            },
          ],
        },
      ],
    },
  },
  {
    // Shared by the browser apps: nothing but the browser (not even the wire contract).
    files: ['edge-hub/web/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...['common', 'hardware', 'kiosk', 'cloud-relay', 'cli', 'protocol'].map(component),
            { group: ['../*', '../../*'], message: 'shared browser code imports nothing of the hub' },
          ],
        },
      ],
    },
  },
  {
    // The admin app runs in the browser too: the wire contract only, like the tablet app.
    files: ['edge-hub/admin/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...['common', 'hardware', 'kiosk', 'cloud-relay', 'cli'].map(component),
            {
              group: ['../*.ts', '../../edge-hub/*', '../tablet/*'],
              message: 'admin app code must not import hub server code or the tablet app',
            },
            {
              group: ['**/protocol/index.ts'],
              message: 'import protocol/admin.ts, settings.ts or primitives.ts directly',
            },
          ],
        },
      ],
    },
  },
  {
    // Entry points and tests talk to the terminal on purpose.
    files: ['cli/**', 'test/**', 'bench/**', 'bin/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.js', 'bin/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  prettier,
);
