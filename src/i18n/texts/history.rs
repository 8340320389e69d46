//! What an application's and a workspace's history says (`applications::events::Note`), worded
//! when read, so every reader reads it in their own language. `{role}`, `{old}` and `{new}` are
//! role names in the reader's language; the rest are names, addresses and reasons as written.

#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct History {
    pub started: &'static str,
    pub submitted: &'static str,
    pub resubmitted: &'static str,
    pub approved: &'static str,
    pub rejected: &'static str,
    pub assigned: &'static str,
    pub unassigned: &'static str,
    pub invited: &'static str,
    pub invited_again: &'static str,
    pub resent: &'static str,
    pub withdrawn: &'static str,
    pub joined: &'static str,
    pub role_changed: &'static str,
    pub blocked: &'static str,
    pub unblocked: &'static str,
    pub removed: &'static str,
    pub transferred: &'static str,
    pub left: &'static str,
    pub left_by_deletion: &'static str,
    /// `{fields}`: the `change_item`s, joined by `change_separator`.
    pub changes_requested: &'static str,
    /// One field asked about: its name and the reviewer's note.
    pub change_item: &'static str,
    pub change_separator: &'static str,
    /// After `changes_requested`, when the reviewer wrote a general note.
    pub changes_general: &'static str,
}
