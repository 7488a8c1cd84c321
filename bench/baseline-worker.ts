/**
 * The benchmark's bare work, as a process of its own like a `rotor worker`: raw pg-boss jobs,
 * fetched with the same settings as Rotor's publish workers. `BASELINE_MODE=post`: each job sends
 * the same `POST /2/tweets` to the emulator with one fixed token; `noop`: each job does nothing.
 * Env: `DATABASE_URL`, `BASELINE_QUEUE`, `BASELINE_MODE`, `BASELINE_CONCURRENCY`, and for `post`
 * `X_EMULATOR_URL` and `BASELINE_TOKEN`. Prints `ready` once it is working.
 */
import { PgBoss } from 'pg-boss';

const env = (name: string) => process.env[name] ?? '';
const mode = env('BASELINE_MODE');
const concurrency = Number(env('BASELINE_CONCURRENCY') || 8);
const boss = new PgBoss({ connectionString: env('DATABASE_URL'), max: 6, schedule: false });
boss.on('error', () => undefined);
await boss.start();
const url = `${env('X_EMULATOR_URL')}/2/tweets`;
const token = env('BASELINE_TOKEN');
await boss.work<{ text: string }>(
  env('BASELINE_QUEUE'),
  {
    batchSize: 8,
    burstWhenBatchFull: true,
    localConcurrency: Math.max(1, Math.round(concurrency / 8)),
    pollingIntervalSeconds: 1,
  },
  async (jobs) => {
    if (mode !== 'post') return;
    await Promise.allSettled(
      jobs.map(async (job) => {
        const res = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ text: job.data.text }),
        });
        await res.arrayBuffer();
      }),
    );
  },
);
console.log('ready');
process.once('SIGTERM', () => {
  void boss.stop({ graceful: false, timeout: 1000 }).finally(() => process.exit(0));
});
