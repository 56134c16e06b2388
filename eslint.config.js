import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const NO_UTILS = { group: ['**/utils', '**/utils.ts'], message: 'Name modules after what they hold.' };
const NO_APP = {
  group: ['**/http/*'],
  message: 'src/http is the composition root and imports the areas, never the reverse: take your own area object in your plugin (AreaPlugin) and shared HTTP code from src/http-shared.',
};
// The folders of domain code (areas and the layers below them); a new area adds its name here.
const DOMAIN = '{jobs,catalog,iceberg-rest,table,storage,warehouse,pipeline,query,experiments,snapshot,db,agent}';

export default tseslint.config(
  { ignores: ['node_modules/', '.quarry/', '.cache/', 'src/web/dist/', 'web/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', { patterns: [NO_UTILS] }],
    },
  },
  {
    // Areas and the layers below them never import the app (src/http): it imports them. What every
    // area's routes share lives in src/http-shared; an area gets only its own area object.
    files: [`src/${DOMAIN}/**/*.ts`, 'src/{config,errors,http-shared}/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [NO_UTILS, NO_APP] }],
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
    files: [`src/${DOMAIN}/**/*.ts`],
    ignores: ['src/**/routes.ts', 'src/**/routes/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'fastify', message: 'Domain code must not depend on HTTP; put routes in routes.ts.' }],
        patterns: [NO_UTILS, NO_APP],
      }],
    },
  },
  {
    // (After the domain blocks, which also match these files: the last block's rule wins.)
    // The agent is a separate process that reaches the server only over HTTP: besides its own files
    // it may import the wire contract both sides share (src/protocol/agent), storage and config.
    files: ['src/agent/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'fastify', message: 'Domain code must not depend on HTTP; put routes in routes.ts.' }],
        patterns: [NO_UTILS, { regex: '^\\.\\./(?!protocol/agent/|storage/|config/)', message: 'src/agent may import only src/protocol/agent, src/storage and src/config (and its own files): what it shares with the server belongs in src/protocol/agent.' }],
      }],
    },
  },
  {
    // The wire contract is imported by both sides, so it depends on neither.
    files: ['src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'fastify', message: 'The wire contract must not depend on HTTP.' }],
        patterns: [NO_UTILS, { regex: '^(\\.\\./)+(?!errors/|storage/|protocol/)[a-z-]+/', message: 'src/protocol may import only src/errors and src/storage: both the server and the agent import it.' }],
      }],
    },
  },
);
