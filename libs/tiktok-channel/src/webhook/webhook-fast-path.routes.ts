import { SetMetadata } from '@nestjs/common';

/**
 * Marks the controller method that takes deliveries. Nest copies a route method's metadata onto
 * the handler it registers with Express, so the fast path finds the route exactly as Express
 * holds it (after global prefix, versioning and `RouterModule` paths) instead of guessing a path.
 */
export const WEBHOOK_ROUTE_MARKER = 'tiktok-channel:webhook-route';

export const WebhookRoute = (): MethodDecorator => SetMetadata(WEBHOOK_ROUTE_MARKER, true);

/** The parts of Express's (`router` package) stack read here. */
interface RouterLayer {
  route?: { stack?: Array<{ method?: string; handle?: unknown }> };
  /** One per path the layer was registered with; false when the path does not match. */
  matchers?: Array<(path: string) => unknown>;
}

/** True when a request path is the webhook route. */
export type WebhookRouteMatcher = (pathname: string) => boolean;

function marked(handle: unknown): boolean {
  return typeof handle === 'function' && Reflect.getMetadata(WEBHOOK_ROUTE_MARKER, handle) === true;
}

/**
 * The webhook route's matcher from an Express app's router, with Express's own matching (strict
 * and case-sensitive settings included); null when the route is not there (not Express, an
 * Express without per-layer matchers, or a handler wrapped by something that drops metadata).
 */
export function findWebhookRoute(expressApp: unknown): WebhookRouteMatcher | null {
  const app = expressApp as { router?: { stack?: unknown }; _router?: { stack?: unknown } };
  const stack = (app?.router?.stack ?? app?._router?.stack) as RouterLayer[] | undefined;
  if (!Array.isArray(stack)) return null;
  const matchers = stack
    .filter((layer) =>
      (layer.route?.stack ?? []).some((entry) => entry.method === 'post' && marked(entry.handle)),
    )
    .flatMap((layer) => layer.matchers ?? []);
  if (matchers.length === 0) return null;
  return (pathname) => matchers.some((match) => match(pathname) !== false);
}
