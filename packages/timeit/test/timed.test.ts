import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as api from '@opentelemetry/api';
import { SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import * as timeitModule from '../src/index.js';
import { ATTR_CODE_FUNCTION_NAME, timed } from '../src/index.js';
import type { Accounts as AccountsType } from './fixtures/accounts.js';
import { parentId, spanId, useSdk } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixturePath = join(here, 'fixtures', 'accounts.ts');
// TypeScript (the repo's compiler) does the decorator lowering: the test runner's own
// transform does not lower standard decorators.
const ts = createRequire(import.meta.url)('typescript') as typeof import('typescript');

type Mode = 'standard' | 'experimentalDecorators';

interface Fixture {
  Accounts: typeof AccountsType;
  PremiumAccounts: typeof AccountsType;
}

/** Compiles the fixture with TypeScript in the given decorator mode and runs it. */
function loadFixture(mode: Mode): Fixture {
  const { outputText } = ts.transpileModule(readFileSync(fixturePath, 'utf8'), {
    fileName: fixturePath,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      experimentalDecorators: mode === 'experimentalDecorators',
      useDefineForClassFields: true,
    },
  });
  const modules: Record<string, unknown> = {
    '@opentelemetry/api': api,
    '../../src/index.js': timeitModule,
  };
  const module = { exports: {} as Record<string, unknown> };
  const requireStub = (id: string) => {
    if (!(id in modules)) throw new Error(`fixture imports ${id}`);
    return modules[id];
  };
  new Function('exports', 'require', 'module', outputText)(module.exports, requireStub, module);
  return module.exports as unknown as Fixture;
}

/** Type-checks the fixture with the package's tsconfig in the given decorator mode. */
function typeErrors(mode: Mode): string[] {
  const configPath = join(here, '..', 'tsconfig.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  )!;
  const program = ts.createProgram([fixturePath], {
    ...parsed.options,
    experimentalDecorators: mode === 'experimentalDecorators',
    noEmit: true,
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('@timed', () => {
  const sdk = useSdk();

  describe.each<Mode>(['standard', 'experimentalDecorators'])('with %s decorators', (mode) => {
    const { Accounts, PremiumAccounts } = loadFixture(mode);

    it('names spans ClassName.method, also for inherited and static methods', () => {
      expect(new Accounts().convert(5)).toBe(10);
      expect(new PremiumAccounts().convert(5)).toBe(15);
      expect(Accounts.create(4).rate).toBe(4);
      expect(sdk.spans().map((s) => s.name)).toEqual([
        'Accounts.convert',
        'Accounts.convert',
        'Accounts.create',
      ]);
      expect(sdk.spans()[0]!.attributes[ATTR_CODE_FUNCTION_NAME]).toBe('Accounts.convert');
    });

    it('keeps the method’s name and length', () => {
      expect(Accounts.prototype.convert.name).toBe('convert');
      expect(Accounts.prototype.convert.length).toBe(1);
    });

    it('uses options.name and attributes, and nests calls made by the method', async () => {
      await expect(new Accounts().load('7')).resolves.toBe('user:7:2');
      const load = sdk.byName('accounts.load');
      expect(load.attributes).toMatchObject({
        [ATTR_CODE_FUNCTION_NAME]: 'Accounts.load',
        'app.store': 'db',
      });
      expect(parentId(sdk.byName('Accounts.convert'))).toBe(spanId(load));
    });

    it('runs the method inside its span', () => {
      const active = new Accounts().activeSpanId();
      expect(active).toBe(spanId(sdk.byName('Accounts.activeSpanId')));
    });

    it('covers generator methods until done', async () => {
      const gen = new Accounts().pages(2);
      expect([...gen]).toEqual([0, 1]);
      const seen: number[] = [];
      for await (const i of new Accounts().stream(2)) seen.push(i);
      expect(seen).toEqual([0, 1]);
      expect(sdk.spans().map((s) => s.name)).toEqual(['Accounts.pages', 'Accounts.stream']);
    });

    it('rethrows the method’s error and marks the span failed', () => {
      expect(() => new Accounts().fail('nope')).toThrow('nope');
      expect(sdk.byName('Accounts.fail').status).toEqual({
        code: SpanStatusCode.ERROR,
        message: 'nope',
      });
    });
  });

  describe('called by hand', () => {
    it('accepts the experimentalDecorators convention (target, key, descriptor)', () => {
      class Billing {
        total(this: Billing, a: number) {
          return a + 1;
        }
      }
      const descriptor = Object.getOwnPropertyDescriptor(Billing.prototype, 'total')!;
      const result = timed()(Billing.prototype, 'total', descriptor);
      expect(result.value).not.toBe(descriptor.value);
      expect(result.enumerable).toBe(descriptor.enumerable);
      Object.defineProperty(Billing.prototype, 'total', result);
      expect(new Billing().total(1)).toBe(2);
      expect(sdk.spans().map((s) => s.name)).toEqual(['Billing.total']);
    });

    it('accepts the standard convention (value, context) and names by the owner', () => {
      class Billing {
        currency = 'EUR';
        static refund(x: number) {
          return -x;
        }
      }
      const context = {
        kind: 'method',
        name: 'refund',
        static: true,
        private: false,
        metadata: {},
        addInitializer() {},
        access: { has: () => true, get: () => Billing.refund },
      } as unknown as ClassMethodDecoratorContext;
      const wrapped = timed()(Billing.refund, context);
      Billing.refund = wrapped;
      expect(Billing.refund(3)).toBe(-3);
      expect(sdk.spans().map((s) => s.name)).toEqual(['Billing.refund']);
    });

    it('leaves a non-method untouched', () => {
      const descriptor = { get: () => 1, configurable: true };
      expect(timed()({}, 'x', descriptor as TypedPropertyDescriptor<number>)).toBe(descriptor);
      const field = timed()(
        undefined as never,
        {
          kind: 'field',
          name: 'f',
        } as unknown as ClassMethodDecoratorContext,
      );
      expect(field).toBeUndefined();
    });
  });

  describe('types', () => {
    it('compiles with standard decorators and with experimentalDecorators', () => {
      expect(typeErrors('standard')).toEqual([]);
      expect(typeErrors('experimentalDecorators')).toEqual([]);
    }, 60_000);
  });
});
