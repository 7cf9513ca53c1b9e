import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ATTRIBUTE_ALLOWLIST } from '../src/index.js';
import { child, setup } from './helpers.js';

type Harness = ReturnType<typeof setup>;
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('RequestSummaryProcessor attributes', () => {
  it('keeps allowlisted HTTP attributes, strips the query from http.target, drops the rest', async () => {
    harness = setup();
    const root = child(harness.tracer, 'GET /users/:id');
    root.setAttributes({
      'http.request.method': 'GET',
      'http.method': 'GET',
      'http.route': '/users/:id',
      'http.target': '/users/42?token=secret#frag',
      'url.path': '/users/42',
      'url.query': 'token=secret',
      'url.full': 'http://h/users/42?token=secret',
      'http.url': 'http://h/users/42?token=secret',
      'http.request.header.authorization': ['Bearer x'],
      'db.statement': 'select * from users',
      'client.address': '10.0.0.1',
      'user_agent.original': 'curl',
      'http.response.status_code': 200,
      'http.status_code': 200,
      'rpc.system': 'grpc',
    });
    root.end();
    const [summary] = await harness.flush();
    expect(summary!.attributes).toEqual({
      'http.request.method': 'GET',
      'http.method': 'GET',
      'http.route': '/users/:id',
      'http.target': '/users/42',
      'url.path': '/users/42',
      'http.response.status_code': 200,
      'http.status_code': 200,
      'rpc.system': 'grpc',
    });
  });

  it('lists no header, query, full URL or db statement in the default allowlist', () => {
    for (const key of DEFAULT_ATTRIBUTE_ALLOWLIST) {
      expect(key).not.toMatch(
        /header|query|url\.full|http\.url|statement|db\.|cookie|client\.address/,
      );
    }
  });

  it('uses attributeAllowlist and resourceAttributeAllowlist when given, copying arrays', async () => {
    harness = setup({
      attributeAllowlist: ['tags'],
      resourceAttributeAllowlist: ['service.version'],
    });
    const tags = ['a', 'b'];
    const root = child(harness.tracer, 'root');
    root.setAttribute('tags', tags);
    root.setAttribute('http.method', 'GET');
    root.end();
    const [summary] = await harness.flush();
    expect(summary!.attributes).toEqual({ tags: ['a', 'b'] });
    expect(summary!.attributes.tags).not.toBe(tags);
    expect(summary!.resource).toEqual({ 'service.version': '1.2.3' });
  });
});
