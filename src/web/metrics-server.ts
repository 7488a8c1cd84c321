/**
 * @module A small HTTP server with only `/metrics` and `/readyz`, for processes without the web
 * app (`rotor worker`): each worker's counters (refreshes, posts, lateness) are scraped from it.
 * Enabled by `ROTOR_METRICS_PORT` (bound to `ROTOR_METRICS_HOST`, 127.0.0.1 by default).
 */
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import type { Server } from 'node:http';
import { mountOpsRoutes, type OpsRoutesOptions } from './ops-routes.ts';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** Starts the server; rejects when the address cannot be bound (e.g. the port is taken). */
export async function startMetricsServer(
  listen: { port: number; host: string },
  o: OpsRoutesOptions,
): Promise<MetricsServer> {
  const app = new Hono();
  mountOpsRoutes(app, o);
  const server = createAdaptorServer({ fetch: app.fetch, hostname: listen.host }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${host}:${listen.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
