import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../src/configuration-error.js';
import { loadIfInstalled, loadOptionalPeer } from '../src/optional-peer.js';

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

describe('loadIfInstalled', () => {
  it('gives undefined for a missing package and the module for an installed one', () => {
    expect(loadIfInstalled('@otel-gelf/not-installed')).toBeUndefined();
    expect(loadIfInstalled<{ trace: unknown }>('@opentelemetry/api')?.trace).toBeDefined();
  });
});
