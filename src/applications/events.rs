//! The event log of applications: every change is one row of `application_events`, numbered
//! by a counter for the live feed (`server::feed`) and read back as the application's history.

use super::{HistoryEntry, MemberRole};
use crate::i18n::{fill, Lang, Texts};
use crate::server::crypto::new_id;
use crate::server::db::{now_ms, Db};
use crate::ui::moment;
use sqlx::{Any, Transaction};

/// What a history entry says, kept as its parts (the `params` column, JSON) so that it is
/// worded when read, in the reader's language; the `note` column keeps it in English too, for
/// the records (exports, and entries written before notes had parts).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "say", rename_all = "snake_case")]
pub enum Note {
    Started,
    Submitted,
    Resubmitted,
    Approved,
    /// The reviewer's reason, shown as written.
    Rejected {
        reason: String,
    },
    /// The fields a reviewer asked to change, each with its note, and a general note.
    ChangesRequested {
        fields: Vec<crate::domain::FieldRequest>,
        #[serde(default)]
        general: String,
    },
    Assigned {
        username: String,
    },
    Unassigned,
    Invited {
        email: String,
        role: MemberRole,
    },
    InvitedAgain {
        email: String,
        role: MemberRole,
    },
    Resent {
        email: String,
        role: MemberRole,
    },
    Withdrawn {
        email: String,
        role: MemberRole,
    },
    Joined {
        username: String,
        role: MemberRole,
        email: String,
    },
    RoleChanged {
        actor: String,
        name: String,
        old: MemberRole,
        new: MemberRole,
    },
    Blocked {
        actor: String,
        name: String,
        role: MemberRole,
    },
    Unblocked {
        actor: String,
        name: String,
        role: MemberRole,
    },
    Removed {
        actor: String,
        name: String,
        role: MemberRole,
    },
    Transferred {
        actor: String,
        name: String,
    },
    Left {
        username: String,
        role: MemberRole,
    },
    LeftByDeletion,
}

impl Note {
    /// The entry in the words of `t` (role names in its language too).
    pub fn words(&self, t: &'static Texts) -> String {
        let h = &t.history;
        let role = |r: &MemberRole| r.label_in(t);
        match self {
            Note::Started => h.started.into(),
            Note::Submitted => h.submitted.into(),
            Note::Resubmitted => h.resubmitted.into(),
            Note::Approved => h.approved.into(),
            // Values typed by people go in last, so braces in them are never placeholders.
            Note::Rejected { reason } => fill(h.rejected, &[("reason", reason)]),
            Note::ChangesRequested { fields, general } => {
                let asked: Vec<String> = fields
                    .iter()
                    .map(|f| {
                        fill(
                            h.change_item,
                            &[("field", &f.field.label_in(t)), ("note", &f.note)],
                        )
                    })
                    .collect();
                let mut words = fill(
                    h.changes_requested,
                    &[("fields", &asked.join(h.change_separator))],
                );
                if !general.is_empty() {
                    words.push_str(&fill(h.changes_general, &[("note", general)]));
                }
                words
            }
            Note::Assigned { username } => fill(h.assigned, &[("username", username)]),
            Note::Unassigned => h.unassigned.into(),
            Note::Invited { email, role: r } => {
                fill(h.invited, &[("role", &role(r)), ("email", email)])
            }
            Note::InvitedAgain { email, role: r } => {
                fill(h.invited_again, &[("role", &role(r)), ("email", email)])
            }
            Note::Resent { email, role: r } => {
                fill(h.resent, &[("role", &role(r)), ("email", email)])
            }
            Note::Withdrawn { email, role: r } => {
                fill(h.withdrawn, &[("role", &role(r)), ("email", email)])
            }
            Note::Joined {
                username,
                role: r,
                email,
            } => fill(
                h.joined,
                &[("role", &role(r)), ("email", email), ("username", username)],
            ),
            Note::RoleChanged {
                actor,
                name,
                old,
                new,
            } => fill(
                h.role_changed,
                &[
                    ("old", &role(old)),
                    ("new", &role(new)),
                    ("actor", actor),
                    ("name", name),
                ],
            ),
            Note::Blocked {
                actor,
                name,
                role: r,
            } => fill(
                h.blocked,
                &[("role", &role(r)), ("actor", actor), ("name", name)],
            ),
            Note::Unblocked {
                actor,
                name,
                role: r,
            } => fill(
                h.unblocked,
                &[("role", &role(r)), ("actor", actor), ("name", name)],
            ),
            Note::Removed {
                actor,
                name,
                role: r,
            } => fill(
                h.removed,
                &[("role", &role(r)), ("actor", actor), ("name", name)],
            ),
            Note::Transferred { actor, name } => {
                fill(h.transferred, &[("actor", actor), ("name", name)])
            }
            Note::Left { username, role: r } => {
                fill(h.left, &[("role", &role(r)), ("username", username)])
            }
            Note::LeftByDeletion => h.left_by_deletion.into(),
        }
    }
}

impl Note {
    /// The entry with the e-mail address `old` replaced by `new` wherever it stands as an
    /// address of its own: a value, or inside a sentence, but never out of a longer address.
    pub fn without_address(self, old: &str, new: &str) -> Note {
        let r = |s: String| replace_address(&s, old, new);
        match self {
            Note::Rejected { reason } => Note::Rejected { reason: r(reason) },
            Note::ChangesRequested { fields, general } => Note::ChangesRequested {
                fields: fields
                    .into_iter()
                    .map(|f| crate::domain::FieldRequest {
                        note: r(f.note),
                        ..f
                    })
                    .collect(),
                general: r(general),
            },
            Note::Invited { email, role } => Note::Invited {
                email: r(email),
                role,
            },
            Note::InvitedAgain { email, role } => Note::InvitedAgain {
                email: r(email),
                role,
            },
            Note::Resent { email, role } => Note::Resent {
                email: r(email),
                role,
            },
            Note::Withdrawn { email, role } => Note::Withdrawn {
                email: r(email),
                role,
            },
            Note::Joined {
                username,
                role,
                email,
            } => Note::Joined {
                username,
                role,
                email: r(email),
            },
            other => other,
        }
    }
}

/// `text` with each occurrence of the address `old` that is not part of a longer address (the
/// characters around it are none an address holds) replaced by `new`.
pub fn replace_address(text: &str, old: &str, new: &str) -> String {
    let in_address = |c: char| c.is_ascii_alphanumeric() || "._%+-@".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(old) {
        let before = out
            .chars()
            .last()
            .filter(|_| at == 0)
            .or(rest[..at].chars().last());
        let after_text = &rest[at + old.len()..];
        let mut after = after_text.chars();
        // A dot ends a sentence unless a label follows it ("ann@x.io.cn" is another address).
        let after_ok = match after.next() {
            None => true,
            Some('.') => !after.next().is_some_and(|c| c.is_ascii_alphanumeric()),
            Some(c) => !in_address(c),
        };
        out.push_str(&rest[..at]);
        if before.is_none_or(|c| !in_address(c)) && after_ok {
            out.push_str(new);
        } else {
            out.push_str(old);
        }
        rest = after_text;
    }
    out.push_str(rest);
    out
}

/// Writes one history (audit) entry, numbered for the live feed (`server::feed`): the counter
/// row stays locked until the transaction ends, so numbers become visible in commit order.
/// On PostgreSQL the commit also notifies every instance (`LISTEN`) that the feed moved.
pub async fn record_event(
    tx: &mut Transaction<'static, Any>,
    application_id: &str,
    kind: &str,
    actor_id: Option<&str>,
    note: &Note,
) -> Result<(), sqlx::Error> {
    let params = serde_json::to_string(note).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let english = note.words(Lang::En.texts());
    let seq: i64 = sqlx::query_scalar(
        "UPDATE counters SET value = value + 1 WHERE name = 'events' RETURNING value",
    )
    .fetch_one(&mut **tx)
    .await?;
    // The event belongs to the application's round at this moment (0 before any submission).
    sqlx::query(
        "INSERT INTO application_events (id, application_id, kind, actor_id, note, created_at, seq, round, params) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE((SELECT round FROM applications WHERE id = $2), 0), $8)",
    )
    .bind(new_id())
    .bind(application_id)
    .bind(kind)
    .bind(actor_id)
    .bind(english)
    .bind(now_ms())
    .bind(seq)
    .bind(params)
    .execute(&mut **tx)
    .await?;
    if tx.backend_name() == "PostgreSQL" {
        sqlx::query(crate::server::feed::NOTIFY_SQL)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct EventRow {
    kind: String,
    note: String,
    params: Option<String>,
    actor_id: Option<String>,
    actor: Option<String>,
    round: i64,
    created_at: i64,
}

impl From<EventRow> for HistoryEntry {
    /// Worded in the request's language; an entry without parts keeps its stored words.
    fn from(e: EventRow) -> Self {
        let note = e
            .params
            .as_deref()
            .and_then(|p| serde_json::from_str::<Note>(p).ok())
            .map_or(e.note, |n| n.words(crate::i18n::t()));
        HistoryEntry {
            kind: e.kind,
            note,
            actor: e.actor,
            actor_id: e.actor_id,
            at: moment::at(e.created_at),
            round: e.round,
        }
    }
}

/// An application's history, oldest first, naming who acted by their username.
pub async fn history(db: &Db, application_id: &str) -> Result<Vec<HistoryEntry>, sqlx::Error> {
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT e.kind AS kind, e.note AS note, e.params AS params, e.actor_id AS actor_id, \
         u.username AS actor, \
         e.round AS round, e.created_at AS created_at FROM application_events e \
         LEFT JOIN users u ON u.id = e.actor_id WHERE e.application_id = $1 ORDER BY e.seq",
    )
    .bind(application_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// One history entry as the applicant sees it: their own actions by their name, a reviewer's
/// as "a reviewer", and the assignment without the reviewer's name.
/// Both are worded when read (in the request's language), never stored.
fn seen_by_applicant(e: HistoryEntry, applicant_id: &str) -> HistoryEntry {
    let t = &crate::i18n::t().review.application;
    let by_applicant = e.actor_id.as_deref() == Some(applicant_id);
    let actor = match e.actor_id {
        Some(_) if by_applicant => e.actor,
        // Whoever decided or was assigned, as the applicant sees them.
        Some(_) => Some(t.a_reviewer.to_string()),
        None => None,
    };
    let note = if e.kind == "assigned" && !by_applicant {
        t.assigned_to_a_reviewer.to_string()
    } else {
        e.note
    };
    HistoryEntry {
        actor,
        note,
        actor_id: None,
        ..e
    }
}

/// The history kinds written by reviewers (`crate::review`): members see them as the
/// applicant does, never naming the reviewer.
const REVIEW_KINDS: [&str; 5] = [
    "assigned",
    "unassigned",
    "approved",
    "rejected",
    "changes_requested",
];

/// One history entry as a member of the workspace sees it: the applicant's and the team's
/// actions by their usernames (a member knows their team), a reviewer's as "a reviewer".
pub fn seen_by_member(e: HistoryEntry, viewer_id: &str) -> HistoryEntry {
    if REVIEW_KINDS.contains(&e.kind.as_str()) {
        seen_by_applicant(e, viewer_id)
    } else {
        HistoryEntry {
            actor_id: None,
            ..e
        }
    }
}

#[cfg(test)]
mod tests {
    use super::replace_address;

    #[test]
    fn an_address_is_replaced_only_where_it_stands_alone() {
        let r = |t: &str| replace_address(t, "ann@x.io", "gone@deleted.invalid");
        assert_eq!(r("ann@x.io"), "gone@deleted.invalid");
        assert_eq!(r("Write to ann@x.io."), "Write to gone@deleted.invalid.");
        assert_eq!(
            r("(ann@x.io) and ann@x.io, ann@x.io"),
            "(gone@deleted.invalid) and gone@deleted.invalid, gone@deleted.invalid"
        );
        assert_eq!(r("joann@x.io"), "joann@x.io");
        assert_eq!(r("ann@x.io.cn"), "ann@x.io.cn");
        assert_eq!(r("ann@x.iox"), "ann@x.iox");
        assert_eq!(
            r("jo.ann@x.io 和 ann@x.io。"),
            "jo.ann@x.io 和 gone@deleted.invalid。"
        );
    }
}
