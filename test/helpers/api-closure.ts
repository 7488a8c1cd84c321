/**
 * @module The public API's closure: every type a name exported from `src/index.ts` mentions in
 * its signature (parameters, results, properties, public members, what it extends) that is
 * declared in `src/` must be exported too, or a library user cannot name what they are handed or
 * must pass. Read with the TypeScript compiler from the sources, not from a build.
 */
import { join } from 'node:path';
import ts from 'typescript';

/** `missing name (declared in file) ← needed by exported name`, one per line; empty when closed. */
export function apiGaps(root: string): string[] {
  const index = join(root, 'src', 'index.ts');
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), (p) => ts.sys.readFile(p));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const program = ts.createProgram([index], options);
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(index) as ts.SourceFile);
  const resolve = (s: ts.Symbol) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  const exported = new Set(checker.getExportsOfModule(moduleSymbol as ts.Symbol).map(resolve));
  const src = join(root, 'src');
  const gaps = new Map<string, Set<string>>();
  const seen = new Set<ts.Symbol>();

  const visitSymbol = (symbol: ts.Symbol, via: string) => {
    if (seen.has(symbol)) return;
    seen.add(symbol);
    for (const d of symbol.declarations ?? []) visitDeclaration(d, via);
  };
  const need = (node: ts.Node, via: string) => {
    const at = ts.isTypeReferenceNode(node)
      ? node.typeName
      : ts.isExpressionWithTypeArguments(node)
        ? node.expression
        : ts.isTypeQueryNode(node)
          ? node.exprName
          : undefined;
    if (!at) return;
    const found = checker.getSymbolAtLocation(at);
    if (!found) return;
    const symbol = resolve(found);
    const file = symbol.declarations?.[0]?.getSourceFile().fileName ?? '';
    if (!file.startsWith(src) || symbol.flags & ts.SymbolFlags.TypeParameter) return;
    if (!exported.has(symbol)) {
      const key = `${symbol.getName()} (${file.slice(root.length + 1)})`;
      if (!gaps.has(key)) gaps.set(key, new Set());
      gaps.get(key)?.add(via);
    }
    visitSymbol(symbol, via);
  };
  const walkTypes = (node: ts.Node | undefined, via: string) => {
    if (!node) return;
    const visit = (n: ts.Node): void => {
      if (ts.isBlock(n)) return; // bodies are not the API
      need(n, via);
      ts.forEachChild(n, visit);
    };
    visit(node);
  };
  const isHidden = (m: ts.ClassElement) =>
    (m.name !== undefined && ts.isPrivateIdentifier(m.name)) ||
    (ts.getCombinedModifierFlags(m) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0;
  const visitDeclaration = (d: ts.Declaration, via: string) => {
    if (ts.isClassDeclaration(d)) {
      for (const h of d.heritageClauses ?? []) walkTypes(h, via);
      for (const m of d.members) {
        if (isHidden(m)) continue;
        if (ts.isConstructorDeclaration(m)) {
          for (const p of m.parameters) if (!ts.isPrivateIdentifier(p.name)) walkTypes(p.type, via);
        } else walkTypes(m, via);
      }
    } else if (ts.isFunctionDeclaration(d)) {
      for (const p of d.parameters) walkTypes(p.type, via);
      walkTypes(d.type, via);
      walkTypes(d.typeParameters?.[0], via);
    } else if (ts.isVariableDeclaration(d)) {
      walkTypes(d.type, via);
    } else if (ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d)) {
      walkTypes(d, via);
    }
  };
  for (const s of exported) visitSymbol(s, s.getName());
  return [...gaps].map(([name, vias]) => `${name} ← ${[...vias].join(', ')}`).sort();
}
