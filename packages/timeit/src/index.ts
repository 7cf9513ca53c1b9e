export { type TimedDecorator, timed } from './timed.js';
export { timeit } from './timeit.js';
export { ATTR_CODE_FUNCTION_NAME, ATTR_TIMEIT } from './timer.js';
export type { AnyFunction, Timed, TimedOptions, TimeitOptions } from './types.js';
export { TRACER_NAME, TRACER_VERSION } from './version.js';
