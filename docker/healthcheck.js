'use strict';
// HEALTHCHECK of the service images: asks the service this image runs (APP) whether it is ready,
// on the port its own configuration resolves (<SERVICE>_PORT / GATEWAY_PORT, then PORT, then the
// default), so no curl or wget has to be installed in the image.
const DEFAULT_PORTS = { gateway: 4000, entitlements: 4001, provisioning: 4002, identity: 4003, retention: 4004 };

const app = process.env.APP ?? '';
if (!(app in DEFAULT_PORTS)) {
  process.stderr.write(`healthcheck: APP must be one of ${Object.keys(DEFAULT_PORTS).join(', ')}\n`);
  process.exit(1);
}
const port = process.env[`${app.toUpperCase()}_PORT`] || process.env.PORT || DEFAULT_PORTS[app];

fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(4000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
