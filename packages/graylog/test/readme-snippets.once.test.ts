import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Every ```ts / ```typescript block of every README must compile as written, against the
 * workspace packages (their sources, through the `@otel-gelf/source` condition of the root
 * tsconfig). A block preceded by `<!-- snippet: experimentalDecorators -->` is compiled with
 * `experimentalDecorators` and `emitDecoratorMetadata`, as a NestJS project is; there is no
 * opt-out: a fragment is made a complete snippet instead.
 */

const root = resolve(import.meta.dirname, '../../..');
const workspaceGroups = ['packages', 'examples', 'compat', 'bench'];

/** The workspace projects: where a snippet's imports are looked for when its own folder has none. */
function workspaceDirs(): string[] {
  return workspaceGroups.flatMap((group) =>
    readdirSync(join(root, group), { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(root, group, e.name, 'package.json')))
      .map((e) => join(root, group, e.name)),
  );
}

function readmes(): string[] {
  const files = [join(root, 'README.md')];
  for (const group of ['packages', 'examples']) {
    for (const dir of readdirSync(join(root, group))) {
      const file = join(root, group, dir, 'README.md');
      if (existsSync(file)) files.push(file);
    }
  }
  return files;
}

interface Snippet {
  /** Virtual file name, beside the README so its imports resolve from that project first. */
  fileName: string;
  /** `README.md:34` — where the block starts, for the failure message. */
  where: string;
  code: string;
  experimentalDecorators: boolean;
}

const fence = /^```(ts|typescript)\s*$/;
const marker = /^<!--\s*snippet:\s*experimentalDecorators\s*-->$/;

/** The TypeScript blocks of one README. */
function extractSnippets(readme: string, text: string): Snippet[] {
  const lines = text.split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!fence.test(lines[i] ?? '')) continue;
    let previous = i - 1;
    while (previous >= 0 && (lines[previous] ?? '').trim() === '') previous--;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !(lines[end] ?? '').startsWith('```')) end++;
    snippets.push({
      // `.mts`: each snippet is an ES module (top-level await included) whatever the folder's
      // package.json says.
      fileName: join(dirname(readme), `README.snippet-${start}.mts`),
      where: `${relative(root, readme)}:${start}`,
      code: lines.slice(start, end).join('\n'),
      experimentalDecorators: marker.test((lines[previous] ?? '').trim()),
    });
    i = end;
  }
  return snippets;
}

function rootCompilerOptions(): ts.CompilerOptions {
  const configFile = join(root, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configFile, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root, undefined, configFile);
  // A snippet shows a call, not a finished program: a value it declares and does not read again
  // (`const provider = …`) is what the reader keeps, not dead code.
  return { ...options, noUnusedLocals: false, noUnusedParameters: false };
}

/** One program for a set of snippets; returns the diagnostics, formatted per snippet. */
function typeCheck(snippets: Snippet[], options: ts.CompilerOptions): string[] {
  const byName = new Map(snippets.map((s) => [s.fileName, s]));
  const host = ts.createCompilerHost(options);
  const dirs = workspaceDirs();
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => byName.has(f) || fileExists.call(host, f);
  host.readFile = (f) => byName.get(f)?.code ?? readFile.call(host, f);
  host.getSourceFile = (f, languageVersion, onError, shouldCreate) => {
    const snippet = byName.get(f);
    if (snippet) return ts.createSourceFile(f, snippet.code, languageVersion, true);
    return getSourceFile.call(host, f, languageVersion, onError, shouldCreate);
  };
  const cache = ts.createModuleResolutionCache(root, (f) => f, options);
  // A README speaks to one project but shows imports the workspace installs in several (sdk-node
  // in one example, NestJS in timeit): what the snippet's own folder does not resolve is looked
  // for in each workspace project in turn.
  host.resolveModuleNameLiterals = (literals, containingFile, redirect, compilerOptions, file) =>
    literals.map((literal) => {
      const name = literal.text;
      const mode = ts.getModeForUsageLocation(file, literal, compilerOptions);
      const from = (importer: string) =>
        ts.resolveModuleName(name, importer, compilerOptions, host, cache, redirect, mode);
      const direct = from(containingFile);
      if (direct.resolvedModule || !byName.has(containingFile)) return direct;
      for (const dir of dirs) {
        const found = from(join(dir, 'README.snippet.mts'));
        if (found.resolvedModule) return found;
      }
      return direct;
    });
  const program = ts.createProgram({
    rootNames: snippets.map((s) => s.fileName),
    options,
    host,
  });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || byName.has(d.file.fileName))
    .map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      const snippet = d.file ? byName.get(d.file.fileName) : undefined;
      if (!d.file || !snippet || d.start === undefined) return text;
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      const [readme, start] = snippet.where.split(':');
      return `${readme}:${Number(start) + line + 1}: TS${d.code} ${text}`;
    });
}

/** Type-checks snippets, grouped into one program per compiler option set. */
function checkSnippets(snippets: Snippet[]): string[] {
  const base = rootCompilerOptions();
  const standard = snippets.filter((s) => !s.experimentalDecorators);
  const legacy = snippets.filter((s) => s.experimentalDecorators);
  const problems = typeCheck(standard, base);
  if (legacy.length > 0) {
    problems.push(
      ...typeCheck(legacy, { ...base, experimentalDecorators: true, emitDecoratorMetadata: true }),
    );
  }
  return problems;
}

const all = readmes().flatMap((f) => extractSnippets(f, readFileSync(f, 'utf8')));

describe('README snippets', () => {
  it('finds the TypeScript blocks of every README', () => {
    expect(all.length).toBeGreaterThanOrEqual(14);
    expect(new Set(all.map((s) => s.where.split(':')[0]))).toContain('README.md');
  });

  it('every TypeScript block compiles as written', () => {
    expect(checkSnippets(all)).toEqual([]);
  }, 120_000);

  it('a type error in a block is reported, with the README line', () => {
    const [first] = extractSnippets(
      join(root, 'packages', 'graylog', 'README.md'),
      [
        '```ts',
        "import { GraylogSummaryProcessor } from '@otel-gelf/graylog';",
        'new GraylogSummaryProcessor({ endpoint: 12201 });',
        '```',
      ].join('\n'),
    );
    expect(first).toBeDefined();
    const problems = checkSnippets(first ? [first] : []);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^packages\/graylog\/README\.md:3: TS2322 /);
  }, 120_000);
});
