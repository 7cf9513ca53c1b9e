import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../src/configuration-error.js';
import { loadOptionalPeer, resolveIfInstalled } from '../src/optional-peer.js';

describe('loadOptionalPeer', () => {
  it('loads an installed peer', () => {
    const api = loadOptionalPeer<{ trace: unknown }>('@opentelemetry/api', 'x', 'y');
    expect(typeof api.trace).toBe('object');
  });

  it('names what needs a missing peer and the command that installs it', () => {
    let error: unknown;
    try {
      loadOptionalPeer('@otel-gelf/not-installed', "transport: 'gelf-pro'", 'gelf-pro@1.4.0');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe(
      "@otel-gelf/not-installed is not installed; transport: 'gelf-pro' needs it (npm install gelf-pro@1.4.0)",
    );
  });
});

describe('resolveIfInstalled', () => {
  it('gives undefined for a missing package and the file of an installed one', () => {
    expect(resolveIfInstalled('@otel-gelf/not-installed/hook.mjs')).toBeUndefined();
    expect(resolveIfInstalled('@opentelemetry/instrumentation/hook.mjs')).toMatch(/hook\.mjs$/);
  });
});
