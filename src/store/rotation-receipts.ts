/** @module Cookie mode's rotation receipts: claim, fill, read (see migration 0002). */
import type { Queryable } from './db.ts';

/** Claims the receipt for a refresh token; true if this caller is the one to refresh. */
export async function claimReceipt(
  q: Queryable,
  refreshHash: string,
  holder: string,
  ttlMs: number,
): Promise<boolean> {
  await q.query(`DELETE FROM rotation_receipts WHERE created_at < now() - interval '1 minute'`);
  const result = await q.query(
    `INSERT INTO rotation_receipts (refresh_hash, owner, lease_until)
     VALUES ($1, $2, now() + $3 * interval '1 millisecond')
     ON CONFLICT (refresh_hash) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
       WHERE rotation_receipts.result_ct IS NULL AND rotation_receipts.lease_until <= now()
     RETURNING owner`,
    [refreshHash, holder, ttlMs],
  );
  return result.rows.length === 1;
}

export async function fillReceipt(
  q: Queryable,
  refreshHash: string,
  holder: string,
  resultCt: string,
): Promise<void> {
  await q.query('UPDATE rotation_receipts SET result_ct = $3 WHERE refresh_hash = $1 AND owner = $2', [
    refreshHash,
    holder,
    resultCt,
  ]);
}

/** Gives the claim back without a result (the refresh failed without rotating). */
export async function dropReceipt(q: Queryable, refreshHash: string, holder: string): Promise<void> {
  await q.query(
    'DELETE FROM rotation_receipts WHERE refresh_hash = $1 AND owner = $2 AND result_ct IS NULL',
    [refreshHash, holder],
  );
}

export async function readReceipt(
  q: Queryable,
  refreshHash: string,
): Promise<{ resultCt: string | null; leased: boolean } | undefined> {
  const result = await q.query<{ resultCt: string | null; leased: boolean }>(
    `SELECT result_ct AS "resultCt", lease_until > now() AS leased FROM rotation_receipts WHERE refresh_hash = $1`,
    [refreshHash],
  );
  return result.rows[0];
}
