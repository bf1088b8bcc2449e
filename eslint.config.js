// ESLint flat config: TypeScript-aware recommended rules for the whole repository; adapters reach src/ only through the partner kit.
import { dirname, relative, resolve, sep } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ROOT = import.meta.dirname;
const KIT = new Set(['src/partners/kit.js', 'src/partners/kit.ts']);

/**
 * An adapter (definition, simulator, crypto, tests) is written against the kit alone: an import is
 * resolved against the file, and may reach `src/partners/kit`, its own adapter folder, packages, and
 * (from its test/ folder) the shared test support; never another adapter, never a computed path.
 */
const adapterBoundary = {
  meta: {
    type: 'problem',
    schema: [],
    messages: {
      kit: 'Adapters import from src/ only through src/partners/kit.js (found {{target}}).',
      adapter: 'Adapters never import another adapter (found {{target}}).',
      outside: 'An adapter imports only the kit, its own folder, packages and, from its tests, test/support (found {{target}}).',
      computed: 'An adapter imports by literal paths only, so the boundary can be checked.',
    },
  },
  create(context) {
    const file = context.filename;
    const [, own, ...below] = relative(ROOT, file).split(sep);
    const inTests = below[0] === 'test';
    function check(node, specifier) {
      if (typeof specifier !== 'string') return context.report({ node, messageId: 'computed' });
      if (!specifier.startsWith('.') && !specifier.startsWith('/')) {
        if (/(^|\/)src\//.test(specifier) && !specifier.startsWith('@')) context.report({ node, messageId: 'kit', data: { target: specifier } });
        return undefined;
      }
      const target = relative(ROOT, resolve(dirname(file), specifier)).split(sep);
      const shown = target.join('/');
      if (target[0] === 'src') return KIT.has(shown) ? undefined : context.report({ node, messageId: 'kit', data: { target: shown } });
      if (target[0] === 'adapters') return target[1] === own ? undefined : context.report({ node, messageId: 'adapter', data: { target: shown } });
      if (target[0] === 'test' && inTests) return undefined;
      return context.report({ node, messageId: 'outside', data: { target: shown } });
    }
    const source = (node) => node.source && check(node.source, node.source.value);
    return {
      ImportDeclaration: source,
      ExportNamedDeclaration: source,
      ExportAllDeclaration: source,
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source.value : undefined),
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') check(node, node.arguments[0]?.type === 'Literal' ? node.arguments[0].value : undefined);
      },
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'certs/dev/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through src/config.ts only.' }],
    },
  },
  { files: ['src/config.ts', 'test/**', 'vitest.config.ts'], rules: { 'no-restricted-properties': 'off' } },
  // The console's one script runs in the browser.
  { files: ['src/ui/assets/*.js'], languageOptions: { globals: { document: 'readonly', window: 'readonly', HTMLFormElement: 'readonly' } } },
  {
    files: ['adapters/**/*.{ts,mts,cts,js,mjs,cjs}'],
    plugins: { gateway: { rules: { 'adapter-boundary': adapterBoundary } } },
    rules: { 'gateway/adapter-boundary': 'error' },
  },
);
