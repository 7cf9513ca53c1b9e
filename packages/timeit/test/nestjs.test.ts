import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as timeitModule from '../src/index.js';
import { parentId, spanId, useSdk } from './helpers.js';

const fixturePath = join(import.meta.dirname, 'fixtures', 'nest-app.ts');
const requireHere = createRequire(import.meta.url);
const ts = requireHere('typescript') as typeof import('typescript');

// As `nest new` compiles a project: legacy decorators with design-type metadata, CommonJS.
const nestCompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
};

/** What the fixture exports (not imported as a type: the package tsconfig compiles with
 * standard decorators, the fixture is a legacy-decorator NestJS file). */
interface NestApp {
  start(): Promise<{ url: string; close: () => Promise<void> }>;
}

/** Compiles the fixture with TypeScript and runs it with the real NestJS packages. */
function loadApp(): NestApp {
  const { outputText } = ts.transpileModule(readFileSync(fixturePath, 'utf8'), {
    fileName: fixturePath,
    compilerOptions: nestCompilerOptions,
  });
  const module = { exports: {} as Record<string, unknown> };
  const requireStub = (id: string) => (id === '@otel-gelf/timeit' ? timeitModule : requireHere(id));
  new Function('exports', 'require', 'module', outputText)(module.exports, requireStub, module);
  return module.exports as unknown as NestApp;
}

describe('@timed() in a NestJS application (@nestjs/core, platform-express)', () => {
  const sdk = useSdk();
  let app: { url: string; close: () => Promise<void> };
  beforeAll(async () => {
    app = await loadApp().start();
  });
  afterAll(async () => {
    await app?.close();
  });

  const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
    fetch(`${app.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('keeps a route whose @timed() is written above @Post(), with DI, and traces it', async () => {
    const res = await call('POST', '/users', { 'x-api-key': 'secret' }, { name: 'ada' });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ id: '1', name: 'ada' });
    const controller = sdk.byName('UsersController.create');
    const service = sdk.byName('UsersService.create');
    expect(parentId(service)).toBe(spanId(controller));
  });

  it('keeps a route whose @timed() is written below @Get(), with its params', async () => {
    await call('POST', '/users', { 'x-api-key': 'secret' }, { name: 'grace' });
    const res = await call('GET', '/users/1', { 'x-api-key': 'secret' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: '1' });
    expect(parentId(sdk.byName('UsersService.find'))).toBe(
      spanId(sdk.byName('UsersController.find')),
    );
  });

  it('passes Nest’s exceptions through, marking the span ERROR', async () => {
    const res = await call('GET', '/users/999', { 'x-api-key': 'secret' });
    expect(res.status).toBe(404);
    expect(sdk.byName('UsersController.find').status.code).toBe(SpanStatusCode.ERROR);
  });

  it('still runs the class guard before the handler', async () => {
    const res = await call('POST', '/users', {}, { name: 'eve' });
    expect(res.status).toBe(403);
    expect(sdk.spans().map((s) => s.name)).not.toContain('UsersController.create');
  });

  it('keeps a method guard and its metadata under @timed()', async () => {
    expect((await call('GET', '/users', { 'x-api-key': 'secret' })).status).toBe(403);
    const res = await call('GET', '/users', { 'x-api-key': 'secret', 'x-role': 'admin' });
    expect(res.status).toBe(200);
    expect(Array.isArray(await res.json())).toBe(true);
    expect(sdk.spans().filter((s) => s.name === 'UsersController.list')).toHaveLength(1);
  });

  it('type-checks as a NestJS project compiles it', () => {
    const program = ts.createProgram([fixturePath], {
      ...nestCompilerOptions,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      paths: { '@otel-gelf/timeit': [join(import.meta.dirname, '..', 'src', 'index.ts')] },
    });
    const errors = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(errors).toEqual([]);
  });
});
