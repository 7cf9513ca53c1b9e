/** How a function's result must be followed to know when its work ends. */
export type FunctionKind = 'plain' | 'generator' | 'async-generator';

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor;
const AsyncGeneratorFunction = Object.getPrototypeOf(async function* () {}).constructor;

/**
 * Tells generator functions apart at wrap time. Async functions are `plain`: their promise is
 * recognised on the result, like any thenable.
 */
export function functionKind(fn: Function): FunctionKind {
  if (fn instanceof AsyncGeneratorFunction) return 'async-generator';
  if (fn instanceof GeneratorFunction) return 'generator';
  // Functions from another realm (vm, iframes) fail `instanceof`; their tag still says it.
  const tag = (fn as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
  if (tag === 'AsyncGeneratorFunction') return 'async-generator';
  if (tag === 'GeneratorFunction') return 'generator';
  return 'plain';
}
