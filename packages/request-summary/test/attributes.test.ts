import { describe, expect, it } from 'vitest';
import { DEFAULT_ATTRIBUTE_ALLOWLIST } from '../src/index.js';
import { child, useHarness } from './helpers.js';

const open = useHarness();

describe('RequestSummaryProcessor attributes', () => {
  it('keeps allowlisted HTTP attributes, strips the query from http.target, drops the rest', async () => {
    const h = open();
    const root = child(h.tracer, 'GET /users/:id');
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
    const [summary] = await h.flush();
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
    const h = open({
      attributeAllowlist: ['tags'],
      resourceAttributeAllowlist: ['service.version'],
    });
    const tags = ['a', 'b'];
    const root = child(h.tracer, 'root');
    root.setAttribute('tags', tags);
    root.setAttribute('http.method', 'GET');
    root.end();
    const [summary] = await h.flush();
    expect(summary!.attributes).toEqual({ tags: ['a', 'b'] });
    expect(summary!.attributes.tags).not.toBe(tags);
    expect(summary!.resource).toEqual({ 'service.version': '1.2.3' });
  });
});
