/** @module A database of its own on the benchmark's PostgreSQL. */
import pg from 'pg';
import type { PgCluster } from '../scripts/pg-cluster.ts';

/** Creates database `name` on `cluster`; its URL. */
export async function createBenchDatabase(cluster: PgCluster, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return cluster.url.replace(/\/postgres$/, `/${name}`);
}
