// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import { genkanPlugin } from './tools/eslint-imports.js';

/**
 * The folder structure is the architecture. Dependencies are allowlists (tools/eslint-imports.js): each
 * area names what it may import. protocol imports nothing of ours, common only protocol; hardware only
 * protocol/common; the three components (kiosk, edge-hub, cloud-relay) never import each other; inside
 * kiosk/, a file's environment is its folder (renderer code never reaches main or preload); the browser
 * apps import only themselves, ui/ and the wire contract. Only cli/, tools/, test/ and bench/ wire
 * components together. No production area lists test/, so production code never imports test support.
 */
const BROWSER_PACKAGES = ['react', 'react-dom', 'zod', '@zxing/library', 'jsqr'];
const areas = {
  protocol: { may: ['protocol'] },
  common: { may: ['common', 'protocol', 'package.json'] },
  hardware: { may: ['hardware', 'common', 'protocol'] },
  'kiosk/common': { may: ['kiosk/common', 'protocol', 'common', 'hardware'] },
  'kiosk/main': { may: ['kiosk/main', 'kiosk/common', 'protocol', 'common', 'hardware'] },
  'kiosk/preload': { may: ['kiosk/preload', 'kiosk/common', 'protocol', 'common', 'hardware'] },
  'kiosk/renderer': {
    may: ['kiosk/renderer', 'kiosk/common', 'protocol', 'common', 'hardware', 'ui'],
    packages: BROWSER_PACKAGES,
  },
  'edge-hub': { may: ['edge-hub', 'protocol', 'common'] },
  'edge-hub/tablet/app': {
    may: ['edge-hub/tablet/app', 'protocol', 'ui'],
    packages: BROWSER_PACKAGES,
  },
  'edge-hub/admin/app': {
    may: ['edge-hub/admin/app', 'protocol', 'ui'],
    packages: BROWSER_PACKAGES,
  },
  'cloud-relay': { may: ['cloud-relay', 'protocol', 'common'] },
  // The parents' phone app, served by the cloud: a browser app like the hub's, plus the WebAuthn client.
  'cloud-relay/parent/app': {
    may: ['cloud-relay/parent/app', 'protocol', 'ui'],
    packages: [...BROWSER_PACKAGES, '@simplewebauthn/browser'],
  },
  ui: { may: ['ui', 'protocol'], packages: BROWSER_PACKAGES },
};
/** Domain code imports no HTTP framework: Fastify only in the HTTP layer of the hub and the cloud. */
const packagesOnlyIn = {
  fastify: [
    'common/http-errors.ts',
    'common/ledger-http.ts',
    'edge-hub/http',
    'edge-hub/admin/api.ts',
    'edge-hub/admin/guardian-routes.ts',
    'edge-hub/admin/device-routes.ts',
    'edge-hub/admin/parent-routes.ts',
    'edge-hub/admin/people-routes.ts',
    'edge-hub/admin/pickup-routes.ts',
    'edge-hub/admin/facility-notice-routes.ts',
    'edge-hub/tablet/api.ts',
    'cloud-relay/server.ts',
    'cloud-relay/routes',
  ],
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
        projectService: { allowDefaultProject: ['*.js', 'bin/*.mjs', 'tools/*.js'] },
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
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { genkan: genkanPlugin },
    rules: {
      'genkan/allowed-imports': ['error', { root: import.meta.dirname, areas, packagesOnlyIn }],
    },
  },
  {
    files: [
      'kiosk/renderer/**/*.{ts,tsx}',
      'edge-hub/tablet/app/**/*.{ts,tsx}',
      'edge-hub/admin/app/**/*.{ts,tsx}',
      'cloud-relay/parent/app/**/*.{ts,tsx}',
    ],
    ...reactHooks.configs.flat.recommended,
  },
  {
    // The tablet app runs in the browser: the wire contract only (protocol/index.ts pulls in Node code).
    files: ['edge-hub/tablet/app/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
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
    // The admin app runs in the browser too: the wire contract only, like the tablet app.
    files: ['edge-hub/admin/app/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
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
    // The parent app runs in a phone's browser: the wire contract only, like the hub's apps.
    files: ['cloud-relay/parent/app/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/protocol/index.ts'],
              message: 'import protocol/parents.ts or primitives.ts directly',
            },
          ],
        },
      ],
    },
  },
  {
    // Test support (test/support, test/contract) serves tests and benchmarks only, never production code.
    // A no-restricted-syntax ban rather than no-restricted-imports: in flat config a later block's options
    // replace an earlier one's, so an import ban here would lift the folder boundaries above.
    files: ['**/*.{ts,tsx,mts,js,mjs}'],
    ignores: ['test/**', 'bench/**', '**/*.test.{ts,tsx}', 'vitest.config.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['ImportDeclaration', 'ImportExpression', 'ExportAllDeclaration', 'ExportNamedDeclaration'].map(
          (node) => ({
            // \x2F is "/": an esquery regex ends at its first slash.
            selector: `${node}[source.value=/(^|\\x2F)test\\x2F/]`,
            message: 'production code must not import test support (test/)',
          }),
        ),
      ],
    },
  },
  {
    // Shared by all three browser apps (kiosk screen, tablet, admin): browser code that imports only
    // itself and the wire contract's pure modules, never a component or Node.
    files: ['ui/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/protocol/index.ts', '**/protocol/credentials.ts', '**/protocol/qr.ts'],
              message: 'import the pure protocol modules (primitives.ts, tablet.ts, admin.ts…) directly',
            },
          ],
        },
      ],
    },
  },
  { ...reactHooks.configs.flat.recommended, files: ['ui/**/*.{ts,tsx}'] },
  {
    // Entry points and tests talk to the terminal on purpose.
    files: ['cli/**', 'test/**', 'bench/**', 'bin/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.js', 'bin/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', performance: 'readonly' },
    },
  },
  prettier,
);
