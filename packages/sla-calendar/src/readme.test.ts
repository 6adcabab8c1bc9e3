import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import * as calendarPackage from './index';

// The README's first TypeScript block is run as written (importing this package), and every
// `console.log(...); // value` line must print exactly `value`.
describe('README example', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';

  it('runs and prints what its comments say', () => {
    const expected = block
      .split('\n')
      .filter((line) => line.startsWith('console.log('))
      .map((line) => line.slice(line.lastIndexOf('// ') + 3));
    expect(expected.length).toBeGreaterThanOrEqual(8);

    const js = ts.transpileModule(block, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const printed: string[] = [];
    const fakeConsole = { log: (...args: unknown[]) => printed.push(args.map(String).join(' ')) };
    const fakeRequire = (id: string): unknown => {
      if (id === '@support-sla/sla-calendar') return calendarPackage;
      throw new Error(`the README example imports ${id}`);
    };
    new Function('require', 'exports', 'console', js)(fakeRequire, {}, fakeConsole);
    expect(printed).toEqual(expected);
  });
});
