import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearerMatches } from './bearer-auth';
import { isLoopbackHostHeader } from './host-check';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The page's own static files (`/`, `/page/*`): answered without the token. They hold no captured
     * data and no secret; the page asks for the token and sends it with every API call. Every other
     * route, an unknown path included, needs the token when one is set.
     */
    public?: boolean;
  }
}

/** Route options of a file of the page. */
export const PUBLIC_ROUTE = { config: { public: true } } as const;

/** Why a request was refused before its handler: the label values of sipcap_web_refused_total. */
export const GUARD_REFUSALS = ['unauthorized', 'host', 'rate_limit'] as const;
export type GuardRefusal = (typeof GUARD_REFUSALS)[number];

export interface GuardOptions {
  /** WEB_AUTH_TOKEN: every route but the PUBLIC_ROUTE ones needs `Authorization: Bearer <token>`. */
  authToken?: string;
  /** Loopback mode without a token: only loopback Host headers are answered (DNS rebinding). */
  loopbackHostsOnly: boolean;
  /** WEB_RATE_LIMIT_MAX requests per WEB_RATE_LIMIT_WINDOW_S and client address. */
  rateLimit: { max: number; windowMs: number };
  /** Client addresses the rate limiter remembers at most (least recently seen forgotten first). */
  rateLimitClients?: number;
  onRefused?: (reason: GuardRefusal) => void;
}

/** The error the rate limiter throws; the server's error handler answers it with its statusCode. */
export class RateLimited extends Error {
  readonly statusCode = 429;
  readonly code = 'SIPCAP_RATE_LIMITED';
}

/**
 * The checks every request passes before its handler, as onRequest hooks of the whole server (so the
 * not-found handler has them too), in this order: the per-client rate limit (@fastify/rate-limit, so
 * token guessing is limited as well), the loopback Host check, then the token. The token is decided on
 * the route the router matched (its config), never on the URL text: `/%61pi/search` is routed to
 * /api/search and needs the token like it; a path no route matches needs it too (deny by default).
 */
export async function installGuards(app: FastifyInstance, o: GuardOptions): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    max: o.rateLimit.max,
    timeWindow: o.rateLimit.windowMs,
    cache: o.rateLimitClients ?? 10_000,
    onExceeded: () => o.onRefused?.('rate_limit'),
    errorResponseBuilder: (_req, ctx) =>
      new RateLimited(
        `more than ${ctx.max} requests in ${o.rateLimit.windowMs / 1000} s from this address (WEB_RATE_LIMIT_MAX); retry in ${ctx.after}`,
      ),
  });
  app.addHook('onRequest', app.rateLimit());

  if (o.loopbackHostsOnly) {
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (isLoopbackHostHeader(request.headers.host)) return;
      o.onRefused?.('host');
      return reply.code(403).send({
        error: 'forbidden_host',
        message: 'without WEB_AUTH_TOKEN only loopback Host headers (localhost, 127.0.0.1, [::1]) are answered',
      });
    });
  }

  const token = o.authToken;
  if (token !== undefined) {
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (request.routeOptions.config?.public === true) return;
      if (bearerMatches(request.headers.authorization, token)) return;
      o.onRefused?.('unauthorized');
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="sipcap"')
        .send({ error: 'unauthorized', message: 'send Authorization: Bearer <WEB_AUTH_TOKEN>' });
    });
  }
}
