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
  { ignores: ['node_modules/', '.quarry/', '.cache/', 'src/web/dist/'] },
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
);
