import { join } from 'node:path';
import ts from 'typescript';
import { Temporal as polyfill } from 'temporal-polyfill';
import { Temporal } from './index';

// temporal.ts re-declares the polyfill's Temporal types one by one (see why there); a new type in a
// temporal-polyfill upgrade must not go missing from what this package exports.
describe('the exported Temporal', () => {
  it('is temporal-polyfill’s own object at run time', () => {
    expect(Temporal).toBe(polyfill);
    expect(Temporal.Instant.from('2026-03-06T17:30:00Z')).toBeInstanceOf(polyfill.Instant);
  });

  it('names every type of temporal-polyfill’s Temporal namespace, and nothing else', () => {
    const file = join(__dirname, 'temporal.ts');
    const program = ts.createProgram([file], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts'],
      types: [],
      strict: true,
      noEmit: true,
    });
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(file);
    if (source === undefined) throw new Error(`no source file ${file}`);
    expect(ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);

    const typeNames = (namespace: ts.Symbol): string[] =>
      checker
        .getExportsOfModule(namespace)
        .filter((s) => (s.flags & ts.SymbolFlags.Type) !== 0)
        .map((s) => s.name)
        .sort();
    const local = (name: string): ts.Symbol => {
      const symbol = checker.getSymbolsInScope(source, ts.SymbolFlags.Value | ts.SymbolFlags.Type | ts.SymbolFlags.Alias).find((s) => s.name === name);
      if (symbol === undefined) throw new Error(`temporal.ts has no ${name}`);
      return symbol;
    };
    const polyfillNamespace = checker.getAliasedSymbol(local('T'));
    const ours = typeNames(checker.getExportSymbolOfSymbol(local('Temporal')));
    const theirs = typeNames(polyfillNamespace);
    expect(theirs.length).toBeGreaterThan(40);
    expect(ours).toEqual(theirs);
  });
});
