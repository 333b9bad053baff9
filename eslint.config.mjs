import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'coverage/**',
      '.data/**',
      'scripts/**',
      '*.js',
      '*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  {
    // The library must stay host-agnostic: no environment reads, no app imports.
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'The host owns configuration: pass it through module options.',
        },
      ],
      'no-restricted-imports': [
        'error',
        { patterns: ['**/apps/**', 'tiktok-sandbox', 'tiktok-sandbox/*'] },
      ],
    },
  },
  {
    files: [
      'apps/**/main.ts',
      'apps/**/demo/**/*.ts',
      // Operator tools: the terminal is their user interface.
      'apps/**/cli/**/*.ts',
      'bench/**/*.ts',
      'test/**/*.ts',
      'scripts/**/*.ts',
    ],
    rules: { 'no-console': 'off' },
  },
);
