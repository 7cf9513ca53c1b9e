#!/usr/bin/env node
// A committed entry point, so package managers can link the `gelf-tail` command before the
// package is built (inside the workspace); the CLI itself is dist/cli.js.
import '../dist/cli.js';
