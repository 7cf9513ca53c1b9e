import { createRequire } from 'node:module';
import { ConfigurationError } from './configuration-error.js';

// Loaded with require, so a missing peer gives the same clear message in the ESM and the
// CommonJS build, and only the code path that needs the peer pays for loading it.
const requirePeer = createRequire(import.meta.url);

function isNotFound(err: unknown, name: string): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  // Only the peer itself missing: a missing file inside an installed peer is a broken install,
  // whose own error says more than ours would.
  return (
    (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') &&
    String((err as Error).message).includes(`'${name}'`)
  );
}

/**
 * Loads the optional peer `name`, or throws a {@link ConfigurationError} that says what needs it
 * and the command that installs it.
 *
 * @param name - the package
 * @param neededBy - what needs it, e.g. `"transport: 'gelf-pro'"`
 * @param install - the packages to install, e.g. `"gelf-pro@1.4.0"`
 */
export function loadOptionalPeer<T>(name: string, neededBy: string, install: string): T {
  try {
    return requirePeer(name) as T;
  } catch (err) {
    if (isNotFound(err, name)) {
      throw new ConfigurationError(
        `${name} is not installed; ${neededBy} needs it (npm install ${install})`,
      );
    }
    throw err;
  }
}

/** The file of `specifier` (a package or a file in one) when it is installed, else `undefined`. */
export function resolveIfInstalled(specifier: string): string | undefined {
  try {
    return requirePeer.resolve(specifier);
  } catch (err) {
    if (isNotFound(err, specifier)) return undefined;
    throw err;
  }
}
