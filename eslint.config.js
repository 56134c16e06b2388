import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', '.quarry/', '.cache/', 'src/web/dist/', 'web/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/utils', '**/utils.ts'], message: 'Name modules after what they hold.' }],
      }],
    },
  },
  {
    // The web UI runs in browsers: browser globals, and no Node modules in its source.
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', '../../src/**'], message: 'The web UI talks to the server only through its public HTTP APIs.' }] }],
    },
  },
  {
    // Domain modules stay free of HTTP: only routes.ts files and src/http may import Fastify.
    files: ['src/{jobs,catalog,table,storage,warehouse,pipeline,query,experiments,db,agent}/**/*.ts'],
    ignores: ['src/**/routes.ts', 'src/**/routes/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'fastify', message: 'Domain code must not depend on HTTP; put routes in routes.ts.' }] }],
    },
  },
);
