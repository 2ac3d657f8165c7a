import type { ApolloServerPlugin } from '@apollo/server';

/**
 * A GraphQL answer carrying a RATE_LIMITED error with `retryAfterSeconds` (a locked sign-in) also
 * says so in the HTTP `Retry-After` header, as the gateway's own rate limit does.
 */
export function retryAfterPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    requestDidStart: () =>
      Promise.resolve({
        willSendResponse({ response }) {
          if (response.body.kind !== 'single') return Promise.resolve();
          const seconds = (response.body.singleResult.errors ?? [])
            .filter((error) => error.extensions?.code === 'RATE_LIMITED')
            .map((error) => error.extensions?.retryAfterSeconds)
            .filter((value): value is number => typeof value === 'number' && value > 0);
          if (seconds.length > 0) response.http.headers.set('retry-after', String(Math.max(...seconds)));
          return Promise.resolve();
        },
      }),
  };
}
