/** `OTEL_RESOURCE_ATTRIBUTES` (`k=v,k2=v2`, values percent-decoded), then `OTEL_SERVICE_NAME`. */
export function resourceAttributesFromEnv(
  env: Record<string, string | undefined>,
): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const pair of (env.OTEL_RESOURCE_ATTRIBUTES ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const key = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep it as written
    }
    if (key !== '') attributes[key] = value;
  }
  const serviceName = env.OTEL_SERVICE_NAME?.trim();
  if (serviceName) attributes['service.name'] = serviceName;
  attributes['service.name'] ??= 'unknown_service:node';
  return attributes;
}
