//! The outbox of notices (`crate::notices`) and the organisations' webhooks, in SQL.

use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use super::{Backend, SqlStore, db, optional_time, time_of};
use crate::audit::micros;
use crate::framework::OrgId;
use crate::notices::mail::{NoticeSettings, Notify};
use crate::notices::{Channel, Delivery, DueNotice, NoticeState, Settled, Webhook};
use crate::store::StoreError;
use crate::store::writes::{Writes, v};
use crate::web::i18n::Lang;

/// Queues a notice of what arrived in `org`'s inbox at audit entry `seq`, for each way the
/// organisation is told, inside the transaction of the arrival: it is sent if and only if the
/// arrival committed. One statement: a row for the organisation's webhook if it has one, and
/// one for each of its professionals who chose e-mail.
pub(super) async fn tell(conn: &mut impl Writes, org: &OrgId, kind: &str, seq: i64) -> Result<(), StoreError> {
    let now = micros(crate::clock::now());
    conn.run(&TELL, &[v(uuid::Uuid::now_v7().to_string()), v(kind), v(seq), v(now), v(&org.0)]).await?;
    Ok(())
}

/// Queues a notice to `org`'s privacy officers who chose e-mail: the exchange at entry `seq`
/// waits for their review.
pub(super) async fn tell_review(conn: &mut impl Writes, org: &str, seq: i64) -> Result<(), StoreError> {
    let now = micros(crate::clock::now());
    conn.run(
        "INSERT INTO outbox (notice_id, kind, audit_seq, org_id, channel, account_id, created_at, due_at) \
         SELECT $1, 'privacy_review', $2, org_id, CASE notify WHEN 'daily_digest' THEN 'digest' ELSE 'email' END, id, \
         $3, $3 FROM accounts WHERE org_id = $4 AND role = 'privacy_officer' AND email IS NOT NULL \
         AND notify <> 'none' AND disabled_at IS NULL",
        &[v(uuid::Uuid::now_v7().to_string()), v(seq), v(now), v(org)],
    )
    .await?;
    Ok(())
}

/// The statement of [`tell`]: professionals only (an administrative role has no inbox).
static TELL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let professional: Vec<String> = crate::framework::Role::ALL
        .iter()
        .filter(|role| role.is_professional())
        .map(|role| format!("'{}'", role.as_str()))
        .collect();
    format!(
        "INSERT INTO outbox (notice_id, kind, audit_seq, org_id, channel, account_id, created_at, due_at) \
         SELECT $1, $2, $3, org_id, 'webhook', NULL, $4, $4 FROM webhooks WHERE org_id = $5 \
         UNION ALL SELECT $1, $2, $3, org_id, CASE notify WHEN 'daily_digest' THEN 'digest' ELSE 'email' END, id, $4, $4 \
         FROM accounts WHERE org_id = $5 AND email IS NOT NULL AND notify <> 'none' AND disabled_at IS NULL \
         AND role IN ({})",
        professional.join(", ")
    )
});

pub(super) async fn set_webhook(conn: &mut impl Writes, webhook: &Webhook) -> Result<(), StoreError> {
    conn.run(
        "INSERT INTO webhooks (org_id, url, secret, set_at) VALUES ($1, $2, $3, $4) ON CONFLICT (org_id) \
         DO UPDATE SET url = excluded.url, secret = excluded.secret, set_at = excluded.set_at",
        &[v(&webhook.org.0), v(&webhook.url), v(&webhook.secret), v(micros(webhook.set_at))],
    )
    .await?;
    Ok(())
}

pub(super) async fn remove_webhook(conn: &mut impl Writes, org: &OrgId, at: OffsetDateTime) -> Result<(), StoreError> {
    let removed = conn.run("DELETE FROM webhooks WHERE org_id = $1", &[v(&org.0)]).await?;
    if removed == 0 {
        return Err(StoreError::NotFound("webhook".into()));
    }
    conn.run(
        "UPDATE outbox SET state = 'dropped', done_at = $1, last_error = 'the webhook was removed' \
         WHERE org_id = $2 AND channel = 'webhook' AND state = 'pending'",
        &[v(micros(at)), v(&org.0)],
    )
    .await?;
    Ok(())
}

impl SqlStore {
    pub(super) async fn webhook_of(&self, org: &OrgId) -> Result<Option<Webhook>, StoreError> {
        let row = sqlx::query("SELECT org_id, url, secret, set_at FROM webhooks WHERE org_id = $1")
            .bind(&org.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.map(|row| {
            Ok(Webhook {
                org: OrgId(row.try_get("org_id").map_err(db)?),
                url: row.try_get("url").map_err(db)?,
                secret: row.try_get("secret").map_err(db)?,
                set_at: time_of(row.try_get("set_at").map_err(db)?)?,
            })
        })
        .transpose()
    }

    pub(super) async fn take_notices(
        &self,
        now: OffsetDateTime,
        lease: time::Duration,
        limit: u32,
    ) -> Result<Vec<DueNotice>, StoreError> {
        self.take("channel <> 'digest' ORDER BY due_at", now, lease, limit).await
    }

    /// Takes up to `limit` pending rows due at `now` that `selection` picks (a condition and
    /// an order), for `lease`.
    async fn take(
        &self,
        selection: &str,
        now: OffsetDateTime,
        lease: time::Duration,
        limit: u32,
    ) -> Result<Vec<DueNotice>, StoreError> {
        // Of several dispatchers (instances), each takes rows no other holds: PostgreSQL skips
        // the rows another's transaction has locked; SQLite has one writer at a time.
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE outbox SET due_at = $1, attempts = attempts + 1 WHERE id IN (SELECT id FROM outbox \
             WHERE state = 'pending' AND due_at <= $2 AND {selection} LIMIT $3{lock}) RETURNING {DUE_COLUMNS}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(micros(now + lease))
            .bind(micros(now))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(due_of).collect()
    }

    pub(super) async fn settle(&self, settled: &[Settled]) -> Result<(), StoreError> {
        if settled.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await.map_err(db)?;
        for one in settled {
            let done = (one.state != NoticeState::Pending).then(|| micros(one.at));
            sqlx::query(
                "UPDATE outbox SET state = $1, due_at = $2, last_status = $3, last_error = $4, done_at = $5 \
                 WHERE id = $6 AND state = 'pending'",
            )
            .bind(one.state.as_str())
            .bind(micros(one.due_at))
            .bind(one.status.map(i64::from))
            .bind(one.error.as_deref())
            .bind(done)
            .bind(one.row)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    pub(super) async fn prune(&self, before: OffsetDateTime, limit: u32) -> Result<u64, StoreError> {
        // By id, which grows with time: the oldest rows are met first and the scan stops at
        // `limit` of them.
        let pruned = sqlx::query(
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE state <> 'pending' AND created_at < $1 \
             ORDER BY id LIMIT $2)",
        )
        .bind(micros(before))
        .bind(i64::from(limit))
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(pruned.rows_affected())
    }

    /// The day's digest rows, taken for `lease` as [`Self::take_notices`] takes the others,
    /// by person.
    pub(super) async fn take_digests(
        &self,
        now: OffsetDateTime,
        lease: time::Duration,
        limit: u32,
    ) -> Result<Vec<DueNotice>, StoreError> {
        let mut due = self.take("channel = 'digest' ORDER BY account_id, id", now, lease, limit).await?;
        due.sort_by(|a, b| (&a.account, a.row).cmp(&(&b.account, b.row)));
        Ok(due)
    }

    pub(super) async fn notice_settings_of(&self, account: &str) -> Result<Option<NoticeSettings>, StoreError> {
        let row = sqlx::query("SELECT email, notify, lang FROM accounts WHERE id = $1 AND disabled_at IS NULL")
            .bind(account)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.map(|row| {
            let notify: String = row.try_get("notify").map_err(db)?;
            let lang: String = row.try_get("lang").map_err(db)?;
            Ok(NoticeSettings {
                email: row.try_get("email").map_err(db)?,
                notify: Notify::parse(&notify).ok_or_else(|| StoreError::Corrupt(format!("notify `{notify}`")))?,
                lang: Lang::from_code(&lang).unwrap_or(Lang::Nl),
            })
        })
        .transpose()
    }

    pub(super) async fn set_notice_settings_of(
        &self,
        account: &str,
        notify: Notify,
        lang: Lang,
    ) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE accounts SET notify = $1, lang = $2 WHERE id = $3 AND disabled_at IS NULL")
            .bind(notify.as_str())
            .bind(lang.code())
            .bind(account)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("account".into()));
        }
        Ok(())
    }

    pub(super) async fn deliveries_of(&self, org: &OrgId, limit: u32) -> Result<Vec<Delivery>, StoreError> {
        let rows = sqlx::query(
            "SELECT notice_id, kind, channel, state, attempts, created_at, due_at, last_status, last_error, done_at \
             FROM outbox WHERE org_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(&org.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| {
                let state: String = row.try_get("state").map_err(db)?;
                Ok(Delivery {
                    notice_id: row.try_get("notice_id").map_err(db)?,
                    kind: row.try_get("kind").map_err(db)?,
                    channel: row.try_get("channel").map_err(db)?,
                    state: NoticeState::parse(&state)
                        .ok_or_else(|| StoreError::Corrupt(format!("notice state `{state}`")))?,
                    attempts: count(row, "attempts")?,
                    created_at: time_of(row.try_get("created_at").map_err(db)?)?,
                    due_at: time_of(row.try_get("due_at").map_err(db)?)?,
                    last_status: row
                        .try_get::<Option<i64>, _>("last_status")
                        .map_err(db)?
                        .and_then(|s| u16::try_from(s).ok()),
                    last_error: row.try_get("last_error").map_err(db)?,
                    done_at: optional_time(row.try_get("done_at").map_err(db)?)?,
                })
            })
            .collect()
    }
}

fn count(row: &AnyRow, column: &str) -> Result<u32, StoreError> {
    Ok(u32::try_from(row.try_get::<i64, _>(column).map_err(db)?).unwrap_or(u32::MAX))
}

const DUE_COLUMNS: &str = "id, notice_id, kind, audit_seq, org_id, channel, account_id, created_at, attempts";

fn due_of(row: &AnyRow) -> Result<DueNotice, StoreError> {
    let channel: String = row.try_get("channel").map_err(db)?;
    Ok(DueNotice {
        row: row.try_get("id").map_err(db)?,
        notice_id: row.try_get("notice_id").map_err(db)?,
        kind: row.try_get("kind").map_err(db)?,
        audit_seq: u64::try_from(row.try_get::<i64, _>("audit_seq").map_err(db)?).unwrap_or_default(),
        org: OrgId(row.try_get("org_id").map_err(db)?),
        channel: Channel::parse(&channel).ok_or_else(|| StoreError::Corrupt(format!("notice channel `{channel}`")))?,
        account: row.try_get("account_id").map_err(db)?,
        created_at: time_of(row.try_get("created_at").map_err(db)?)?,
        attempts: count(row, "attempts")?,
    })
}
