// The one statement that sends an ended or delivered message again: pending, its job to publish, its retry budget counted from now.

/** Parameters, as `?` in this order (PostgreSQL numbers them: see postgres-session.ts `numbered`): next attempt at, now, message id. */
export const REOPEN_MESSAGE_SQL = `UPDATE messages SET status = 'pending', next_attempt_at = ?, job_state = 'unpublished', lease_owner = NULL, lease_until = NULL, updated_at = ?,
         retry_base = attempts
       WHERE id = ?`;
