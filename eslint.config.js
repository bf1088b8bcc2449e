// ESLint flat config: TypeScript-aware recommended rules for the whole repository; adapters may import only the partner kit from src/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Import rules for adapter files at one depth: `sibling` matches a relative path that leads into another adapter's folder. */
function adapterImportRules(files, sibling) {
  return [
    {
      files: [files],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              { regex: '(^|/)src/(?!partners/kit\\.js$)', message: 'Adapters import from src/ only through src/partners/kit.js.' },
              { regex: sibling, message: 'Adapters never import each other.' },
            ],
          },
        ],
      },
    },
  ];
}

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
  // An adapter (definition, simulator, crypto, tests) is written against the kit alone, and never imports another adapter.
  ...adapterImportRules('adapters/*/*.ts', '^\\.\\./(?!\\.\\./)'),
  ...adapterImportRules('adapters/*/*/**/*.ts', '^\\.\\./\\.\\./(?!\\.\\./)'),
);
