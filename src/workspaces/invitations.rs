//! Invitations: inviting 1 to 10 addresses at once with one role, resending (a new link, 3
//! more days, the old link void) and withdrawing, for the Owner and Admins of an approved
//! workspace as the roles table allows; and the link's page (`/invitations/{token}`), where
//! the invited address joins with one click. Inviting an address that already has an open
//! invitation renews it (a new link, the role chosen now), so an address never holds two.
//! Answers never say whether an address has an account.

use super::roles::{describe, with_article};
use crate::accounts::SignOut;
use crate::applications::MemberRole;
use crate::domain::Email;
use crate::error::{AppError, ErrorKind};
use crate::i18n::fill;
use crate::ui::form::{last_error, ErrorLine, ErrorSummary, FormAlert, SubmitButton};
use crate::ui::guard::ErrorView;
use crate::ui::moment::{in_sentence, Moment};
use crate::ui::page::{answer_not_found, Loading};
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

/// Addresses one request may invite.
pub const MAX_AT_ONCE: usize = 10;

/// What every unusable link (unknown, expired, withdrawn, used) answers: nothing about any
/// workspace. This is the English wording (tests compare it); pages and answers say the
/// catalogue's `workspaces.invitation.invalid_link`, in their language.
pub const INVALID_LINK: &str =
    "This invitation link is no longer valid. Ask the person who invited you to send a new one.";

/// The invite form's addresses: one per line, or separated by commas, semicolons or spaces;
/// each parsed as an `Email` (lower-cased, so one mailbox is one address), duplicates dropped.
/// The error names every address that is not one.
pub fn parse_addresses(raw: &str) -> Result<Vec<Email>, String> {
    let i = &crate::i18n::t().workspaces.invite;
    let parts: Vec<&str> = raw
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return Err(i.enter_at_least_one.into());
    }
    let mut bad = Vec::new();
    let mut emails: Vec<Email> = Vec::new();
    for part in &parts {
        match Email::parse(part) {
            Ok(e) if emails.contains(&e) => {}
            Ok(e) => emails.push(e),
            Err(_) => {
                let shown: String = part.chars().take(60).collect();
                bad.push(fill(i.not_an_email, &[("address", &shown)]));
            }
        }
    }
    if !bad.is_empty() {
        return Err(bad.join(" "));
    }
    if emails.len() > MAX_AT_ONCE {
        return Err(fill(
            i.at_most_at_once,
            &[("max", &MAX_AT_ONCE), ("count", &emails.len())],
        ));
    }
    Ok(emails)
}

/// An address as shown to someone who may not be its owner: "a***@example.com".
pub fn mask(email: &str) -> String {
    match email.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_string(),
    }
}

/// What inviting did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitesSent {
    /// Addresses invited now.
    pub sent: Vec<String>,
    /// Addresses that had an open invitation: it got a new link (the old one stopped working).
    pub renewed: Vec<String>,
}

impl InvitesSent {
    /// The page's notice.
    pub fn sentence(&self) -> String {
        let i = &crate::i18n::t().workspaces.invite;
        let mut s = String::new();
        if !self.sent.is_empty() {
            s.push_str(&fill(
                i.sent_to,
                &[("emails", &self.sent.join(i.list_separator))],
            ));
        }
        if !self.renewed.is_empty() {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(&fill(
                i.renewed,
                &[("emails", &self.renewed.join(i.list_separator))],
            ));
        }
        s
    }
}

/// An invitation as its link's page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub workspace_name: String,
    pub role: MemberRole,
    /// The inviter's username.
    pub invited_by: String,
    /// When the link stops working.
    pub expires: Moment,
    /// The invited address, masked (`mask`).
    pub email_hint: String,
    pub viewer: Viewer,
}

/// Who opened the link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Viewer {
    /// Nobody is signed in: sign in, or create an account with `email` (the invited address,
    /// filled in on the sign-up form).
    SignedOut { email: String },
    /// Signed in with the invited address: may join.
    Invitee,
    /// Signed in with another address.
    Other { signed_in_as: String },
}

/// "Send invitations": `emails` (1 to 10) as `role`.
#[server(name = InviteMembers, endpoint = "workspaces/invite")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty, workspace = %workspace_id))
)]
pub async fn invite_members(
    workspace_id: String,
    emails: String,
    role: Option<String>,
) -> Result<InvitesSent, AppError> {
    let role = role.unwrap_or_default();
    ssr::invite(&workspace_id, &emails, &role)
        .await
        .map_err(|e| e.keep("emails", &emails).keep("role", &role))
}

/// "Resend": a new link, valid 3 more days; the old one stops working.
#[server(name = ResendInvitation, endpoint = "workspaces/resend")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty, workspace = %workspace_id))
)]
pub async fn resend_invitation(
    workspace_id: String,
    invitation_id: String,
) -> Result<(), AppError> {
    ssr::change(&workspace_id, &invitation_id, ssr::Change::Resend).await
}

/// "Withdraw": the invitation ends; its link stops working.
#[server(name = WithdrawInvitation, endpoint = "workspaces/withdraw")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty, workspace = %workspace_id))
)]
pub async fn withdraw_invitation(
    workspace_id: String,
    invitation_id: String,
) -> Result<(), AppError> {
    ssr::change(&workspace_id, &invitation_id, ssr::Change::Withdraw).await
}

/// The invitation behind a link, for its page; an unusable link is "not found" with
/// `INVALID_LINK`. Open to anyone with the link: a person without an account opens it too.
#[server(name = InvitationLookup, endpoint = "workspaces/invitation")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn invitation(token: String) -> Result<InvitationView, AppError> {
    ssr::lookup(&token).await
}

/// "Join <workspace>": the signed-in account, if its address is the invited one, becomes a
/// member with the invited role; the page goes on to the workspace. Returns its id.
#[server(name = JoinWorkspace, endpoint = "workspaces/join")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn join_workspace(token: String) -> Result<String, AppError> {
    ssr::join(&token).await
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::accounts::require_user;
    use crate::domain::Status;
    use crate::server::db::{now_ms, WriteTx};
    use crate::server::mail::enqueue;
    use crate::server::request::{is_plain_form_post, state, AppState, OrInternal};
    use crate::ui::moment;
    use crate::workspaces::roles::{allows, invitable_by, TeamAction};
    use crate::workspaces::store::{
        self, Changed, Invited, Joining, Team, ToMail, MAILS_PER_HOUR, MAX_PENDING,
    };

    fn refused(message: impl Into<String>) -> AppError {
        AppError {
            message: message.into(),
            ..AppError::forbidden()
        }
    }

    pub fn invalid_link() -> AppError {
        AppError {
            message: crate::i18n::t().workspaces.invitation.invalid_link.into(),
            ..AppError::not_found()
        }
    }

    fn not_approved(team: &Team) -> AppError {
        AppError::invalid(fill(
            crate::i18n::t().workspaces.invite_once_approved,
            &[("workspace", &team.name)],
        ))
    }

    fn mail_limit(team: &Team, wait_secs: u64) -> AppError {
        crate::server::metrics::throttled("invitation_mails");
        let i = &crate::i18n::t().workspaces.invite;
        let when = if wait_secs > 90 {
            fill(i.minutes, &[("count", &wait_secs.div_ceil(60))])
        } else {
            fill(i.seconds, &[("count", &wait_secs)])
        };
        AppError::too_many(
            fill(
                i.mail_limit,
                &[
                    ("max", &MAILS_PER_HOUR),
                    ("when", &when),
                    ("workspace", &team.name),
                ],
            ),
            wait_secs,
        )
    }

    fn too_many_pending(team: &Team, pending: i64) -> AppError {
        AppError::invalid(fill(
            crate::i18n::t().workspaces.invite.too_many_pending,
            &[
                ("pending", &pending),
                ("max", &MAX_PENDING),
                ("workspace", &team.name),
            ],
        ))
    }

    /// A token as `random_token` makes them (URL-safe base64); anything else is not looked up.
    fn plausible(token: &str) -> bool {
        (20..=64).contains(&token.len())
            && token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    }

    /// The caller's place on the team, read under the team's lock (taken here) so that it
    /// holds until the transaction ends: anyone who is not an active member gets 404 (as on
    /// every workspace page), a workspace not approved yet 422, a member who does not manage
    /// invitations 403.
    async fn managing(
        tx: &mut WriteTx,
        workspace_id: &str,
        user_id: &str,
    ) -> Result<Team, AppError> {
        store::lock_team(tx, workspace_id)
            .await
            .or_internal("locking a team")?;
        let team = store::team(&mut ***tx, workspace_id, user_id)
            .await
            .or_internal("reading a team")?
            .ok_or_else(AppError::not_found)?;
        if team.status != Status::Approved {
            return Err(not_approved(&team));
        }
        if invitable_by(team.role).is_empty() {
            return Err(refused(crate::i18n::t().workspaces.invite.managers_only));
        }
        Ok(team)
    }

    async fn mail(
        tx: &mut WriteTx,
        st: &AppState,
        inviter: &str,
        team: &Team,
        to: &ToMail,
    ) -> Result<(), AppError> {
        let link = format!("{}/invitations/{}", st.config.public_url, to.token);
        // In the invited person's language if they have an account; else in the inviter's.
        let lang =
            crate::accounts::store::language_of_email(&mut ***tx, &to.email, crate::i18n::lang())
                .await
                .or_internal("reading a language")?;
        enqueue(
            tx,
            crate::workspaces::mail::invitation(
                lang,
                &to.email,
                inviter,
                &team.name,
                to.role,
                &link,
                to.expires_at,
            ),
        )
        .await
        .or_internal("queueing mail")
    }

    pub async fn invite(
        workspace_id: &str,
        emails: &str,
        role: &str,
    ) -> Result<InvitesSent, AppError> {
        let i = &crate::i18n::t().workspaces.invite;
        let user = require_user().await?;
        let st = state()?;
        let mut tx = st.db.begin_write().await.or_internal("begin")?;
        let team = managing(&mut tx, workspace_id, &user.user_id).await?;
        let Some(role) = MemberRole::parse(role) else {
            return Err(AppError::field("role", i.choose_role));
        };
        if !allows(team.role, TeamAction::Invite(role)) {
            let may: Vec<&str> = invitable_by(team.role)
                .into_iter()
                .map(|r| r.label())
                .collect();
            return Err(refused(fill(
                i.invite_only_as,
                &[
                    ("actor", &with_article(team.role)),
                    ("roles", &may.join(i.or)),
                ],
            )));
        }
        let emails = parse_addresses(emails).map_err(|m| AppError::field("emails", m))?;

        let outcome = store::invite(&mut tx, &team, &user.user_id, &emails, role, now_ms())
            .await
            .or_internal("inviting")?;
        let (new, renewed) = match outcome {
            Invited::Sent { new, renewed } => (new, renewed),
            // Returning drops the transaction: nothing was written.
            Invited::AlreadyMembers(list) => {
                let each: Vec<String> = list
                    .iter()
                    .map(|e| {
                        fill(
                            i.already_member_of,
                            &[("email", e), ("workspace", &team.name)],
                        )
                    })
                    .collect();
                return Err(AppError::field("emails", each.join(" ")));
            }
            Invited::NotYours(list) => {
                let said = if list.len() == 1 {
                    i.not_yours_one
                } else {
                    i.not_yours_other
                };
                return Err(refused(fill(
                    said,
                    &[("emails", &list.join(i.list_separator))],
                )));
            }
            Invited::TooManyPending { pending } => return Err(too_many_pending(&team, pending)),
            Invited::MailLimit { wait_secs } => return Err(mail_limit(&team, wait_secs)),
        };
        for to in new.iter().chain(renewed.iter()) {
            mail(&mut tx, &st, &user.username, &team, to).await?;
        }
        tx.commit().await.or_internal("commit")?;
        st.mail_ready.notify_one();
        st.feed.wake();
        tracing::info!(
            invited = new.len(),
            renewed = renewed.len(),
            role = role.key(),
            "invitations sent"
        );
        if is_plain_form_post() {
            leptos_axum::redirect(&format!(
                "/workspaces/{workspace_id}/members?invited={}",
                new.len() + renewed.len()
            ));
        }
        Ok(InvitesSent {
            sent: new.into_iter().map(|t| t.email).collect(),
            renewed: renewed.into_iter().map(|t| t.email).collect(),
        })
    }

    #[derive(Clone, Copy)]
    pub enum Change {
        Resend,
        Withdraw,
    }

    pub async fn change(
        workspace_id: &str,
        invitation_id: &str,
        change: Change,
    ) -> Result<(), AppError> {
        let user = require_user().await?;
        let st = state()?;
        let mut tx = st.db.begin_write().await.or_internal("begin")?;
        let team = managing(&mut tx, workspace_id, &user.user_id).await?;
        let now = now_ms();
        let outcome = match change {
            Change::Resend => {
                store::resend(&mut tx, &team, &user.user_id, invitation_id, now).await
            }
            Change::Withdraw => {
                store::withdraw(&mut tx, &team, &user.user_id, invitation_id, now).await
            }
        }
        .or_internal("changing an invitation")?;
        match outcome {
            Changed::Done(to) => {
                if let Some(to) = &to {
                    mail(&mut tx, &st, &user.username, &team, to).await?;
                }
                tx.commit().await.or_internal("commit")?;
                if to.is_some() {
                    st.mail_ready.notify_one();
                }
                st.feed.wake();
            }
            Changed::NotFound => {
                return Err(AppError {
                    message: crate::i18n::t().workspaces.invite.no_longer_open.into(),
                    ..AppError::not_found()
                })
            }
            Changed::NotYours => {
                return Err(refused(
                    crate::i18n::t()
                        .workspaces
                        .invite
                        .admin_invitation_owner_only,
                ))
            }
            Changed::TooManyPending { pending } => return Err(too_many_pending(&team, pending)),
            Changed::MailLimit { wait_secs } => return Err(mail_limit(&team, wait_secs)),
        }
        if is_plain_form_post() {
            let done = match change {
                Change::Resend => "resent",
                Change::Withdraw => "withdrawn",
            };
            leptos_axum::redirect(&format!("/workspaces/{workspace_id}/members?{done}=1"));
        }
        Ok(())
    }

    pub async fn lookup(token: &str) -> Result<InvitationView, AppError> {
        let st = state()?;
        if !plausible(token) {
            return Err(invalid_link());
        }
        let Some(inv) = store::live_invitation(&st.db, token, now_ms())
            .await
            .or_internal("reading an invitation")?
        else {
            return Err(invalid_link());
        };
        let viewer = match crate::accounts::signed_in_user().await? {
            None => Viewer::SignedOut {
                email: inv.email.clone(),
            },
            Some(u) if u.email == inv.email => Viewer::Invitee,
            Some(u) => Viewer::Other {
                signed_in_as: u.email,
            },
        };
        Ok(InvitationView {
            workspace_name: inv.workspace_name,
            role: inv.role,
            invited_by: inv.invited_by,
            expires: moment::at(inv.expires_at),
            email_hint: mask(&inv.email),
            viewer,
        })
    }

    pub async fn join(token: &str) -> Result<String, AppError> {
        let user = require_user().await?;
        let st = state()?;
        if !plausible(token) {
            return Err(invalid_link());
        }
        let mut tx = st.db.begin_write().await.or_internal("begin")?;
        let joined = store::join(
            &mut tx,
            token,
            &user.user_id,
            &user.username,
            &user.email,
            now_ms(),
        )
        .await
        .or_internal("joining a workspace")?;
        // Every refusal returns before the commit: dropping the transaction writes nothing.
        match joined {
            Joining::Joined {
                workspace_id,
                workspace_name,
                role,
            } => {
                tx.commit().await.or_internal("commit")?;
                st.feed.wake();
                tracing::info!(workspace = %workspace_id, workspace_name = %workspace_name, role = role.key(), "joined a workspace");
                leptos_axum::redirect(&format!("/workspaces/{workspace_id}"));
                Ok(workspace_id)
            }
            Joining::OtherAddress { email } => Err(refused(fill(
                crate::i18n::t().workspaces.invitation.other_address,
                &[("invited", &mask(&email)), ("email", &user.email)],
            ))),
            Joining::AlreadyMember { .. } => Err(AppError::conflict(
                crate::i18n::t().workspaces.invitation.already_member,
            )),
            Joining::Invalid => Err(invalid_link()),
        }
    }
}

/// The invite form: the addresses, one role for all of them (a fieldset of radio buttons,
/// offering the roles the viewer may invite as), and "Send invitations".
#[component]
pub fn InviteForm(
    workspace_id: String,
    roles: Vec<MemberRole>,
    action: ServerAction<InviteMembers>,
) -> impl IntoView {
    let txt = &crate::i18n::t().workspaces.invite;
    let error = last_error(action.value());
    let field = move |name: &'static str| {
        Signal::derive(move || error.get().and_then(|e| e.field_message(name)))
    };
    let (emails_error, role_error) = (field("emails"), field("role"));
    // After a refusal the form comes back as it was sent (with or without JavaScript).
    let refused = error.get_untracked();
    let kept_emails = refused
        .as_ref()
        .and_then(|e| e.kept_value("emails"))
        .unwrap_or_default();
    let chosen = refused
        .as_ref()
        .and_then(|e| e.kept_value("role"))
        .and_then(|r| MemberRole::parse(&r))
        .filter(|r| roles.contains(r))
        .or_else(|| roles.iter().copied().find(|r| *r == MemberRole::Developer))
        .or_else(|| roles.first().copied());
    view! {
        <section class="team-invite" aria-labelledby="invite-title">
            <h2 id="invite-title">{txt.title}</h2>
            <ErrorSummary error labels=vec![("emails", txt.emails_label), ("role", txt.role_label)]/>
            <ActionForm action=action>
                <input type="hidden" name="workspace_id" value=workspace_id/>
                <div class="field" class:field--invalid=move || emails_error.get().is_some()>
                    <label for="emails" class="field__label">{txt.emails_label}</label>
                    <textarea id="emails" name="emails" rows="4" autocomplete="off" spellcheck="false"
                        aria-describedby="emails-help emails-error"
                        aria-invalid=move || emails_error.get().is_some().then_some("true")>{kept_emails}</textarea>
                    <p id="emails-help" class="field__help">
                        {fill(txt.emails_help, &[("max", &MAX_AT_ONCE)])}
                    </p>
                    <ErrorLine id="emails-error" error=emails_error/>
                </div>
                <fieldset class="team-invite__roles" role="radiogroup" aria-describedby="role-error"
                    aria-invalid=move || role_error.get().is_some().then_some("true")>
                    <legend class="field__label">{txt.role_label}</legend>
                    // The first choice carries the id the error summary links to.
                    {roles.into_iter().enumerate().map(|(i, r)| view! {
                        <label class="role-option">
                            <input type="radio" name="role" value=r.key() checked=chosen == Some(r)
                                id=(i == 0).then_some("role")/>
                            <span class="role-option__title">{r.label()}</span>
                            <span class="role-option__text">{describe(r)}</span>
                        </label>
                    }).collect_view()}
                </fieldset>
                <ErrorLine id="role-error" error=role_error/>
                <SubmitButton label=txt.send busy_label=txt.sending pending=action.pending()
                    class="btn btn--primary"/>
            </ActionForm>
        </section>
    }
}

/// `/invitations/{token}`: what the invitation is, and the way to accept it for whoever opened
/// the link.
#[component]
pub fn InvitationPage() -> impl IntoView {
    // The link is a secret, and the page may show the invited address: no cache keeps it.
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.insert_header(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store"),
        );
    }
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let found = Resource::new(token, invitation);
    let join = ServerAction::<JoinWorkspace>::new();
    let sign_out = ServerAction::<SignOut>::new();
    let v = &crate::i18n::t().workspaces.invitation;
    view! {
        <Title text=v.page_title/>
        <section class="auth-card invitation" aria-labelledby="invitation-title">
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match found.await {
                        Ok(v) => EitherOf3::A(view! {
                            <InvitationDetails v token=params.with_untracked(|p| p.get("token").unwrap_or_default()) join sign_out/>
                        }),
                        Err(e) if e.kind == ErrorKind::NotFound => EitherOf3::B(view! { <NoLongerValid/> }),
                        Err(e) => EitherOf3::C(view! { <ErrorView error=e/> }),
                    }
                })}
            </Transition>
        </section>
    }
}

/// An unknown, expired, withdrawn or used link: one page for all, naming no workspace; it
/// answers 404.
#[component]
fn NoLongerValid() -> impl IntoView {
    answer_not_found();
    let v = &crate::i18n::t().workspaces.invitation;
    view! {
        <h1 id="invitation-title">{v.not_valid_title}</h1>
        <p>{v.invalid_link}</p>
        <a class="btn btn--primary" href="/">{v.go_home}</a>
    }
}

#[component]
fn InvitationDetails(
    v: InvitationView,
    token: String,
    join: ServerAction<JoinWorkspace>,
    sign_out: ServerAction<SignOut>,
) -> impl IntoView {
    let InvitationView {
        workspace_name,
        role,
        invited_by,
        expires,
        email_hint,
        viewer,
    } = v;
    let texts = crate::i18n::t();
    let v = &texts.workspaces.invitation;
    let error = last_error(join.value());
    let here = format!("/invitations/{token}");
    let next = crate::ui::guard::next_value(&here);
    let signin = format!("/signin?next={next}");
    let what = fill(
        v.what_joining_means,
        &[
            ("role", &with_article(role)),
            ("description", &describe(role)),
            ("workspace", &workspace_name),
        ],
    );
    let join_label = fill(v.join, &[("workspace", &workspace_name)]);
    let title = join_label.clone();
    let lead = fill(
        v.lead,
        &[
            ("role", &with_article(role)),
            ("inviter", &invited_by),
            ("email", &email_hint),
            ("workspace", &workspace_name),
        ],
    );
    let act = match viewer {
        Viewer::Invitee => EitherOf3::A(view! {
            <FormAlert error/>
            <ActionForm action=join>
                <input type="hidden" name="token" value=token/>
                <button type="submit" class="btn btn--primary btn--block"
                    disabled=move || join.pending().get()
                    aria-busy=move || join.pending().get().then_some("true")>
                    {join_label}
                </button>
            </ActionForm>
        }),
        Viewer::Other { signed_in_as } => EitherOf3::B(view! {
            <p class="alert alert--info" role="status">
                {fill(v.signed_in_as_other, &[("email", &email_hint), ("signed_in_as", &signed_in_as)])}
            </p>
            <p>{v.how_to_accept}</p>
            <div class="invitation__actions">
                <ActionForm action=sign_out>
                    <button type="submit" class="btn btn--secondary">{texts.frame.sign_out}</button>
                </ActionForm>
                <a class="btn btn--ghost" href=signin.clone()>{v.sign_in_other}</a>
            </div>
        }),
        Viewer::SignedOut { email } => {
            let email_q: String = url::form_urlencoded::byte_serialize(email.as_bytes()).collect();
            let signup = format!("/signup?email={email_q}&next={next}");
            EitherOf3::C(view! {
                <p>{fill(v.signed_out, &[("email", &email_hint)])}</p>
                <div class="invitation__actions">
                    <a class="btn btn--primary" href=signin.clone()>{v.sign_in}</a>
                    <a class="btn btn--ghost" href=signup>{v.create_account}</a>
                </div>
            })
        }
    };
    view! {
        <p class="eyebrow">{v.page_title}</p>
        <h1 id="invitation-title">{title}</h1>
        <p class="auth-card__lead">{lead}</p>
        <p>{what}</p>
        <p class="muted">{in_sentence(v.works_until, "date", expires, &[])}</p>
        {act}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_on_lines_commas_and_spaces_and_lose_duplicates() {
        let got = parse_addresses(
            "ann@example.com\n Bob@Example.com, cy@example.org;\r\nann@example.com",
        )
        .unwrap();
        let got: Vec<&str> = got.iter().map(Email::as_str).collect();
        assert_eq!(
            got,
            ["ann@example.com", "bob@example.com", "cy@example.org"]
        );
    }

    #[test]
    fn every_bad_address_is_named() {
        let err =
            parse_addresses("ann@example.com, not-an-address, bob@, cy@example.org").unwrap_err();
        assert!(
            err.contains("\"not-an-address\" is not an email address."),
            "{err}"
        );
        assert!(err.contains("\"bob@\" is not an email address."), "{err}");
        assert!(!err.contains("ann@example.com"), "{err}");
    }

    #[test]
    fn one_to_ten_addresses() {
        assert!(parse_addresses(" \n , ").is_err());
        let ten: Vec<String> = (0..10).map(|i| format!("p{i}@example.com")).collect();
        assert_eq!(parse_addresses(&ten.join("\n")).unwrap().len(), 10);
        let eleven: Vec<String> = (0..11).map(|i| format!("p{i}@example.com")).collect();
        let err = parse_addresses(&eleven.join(",")).unwrap_err();
        assert!(err.contains("at most 10") && err.contains("11"), "{err}");
    }

    #[test]
    fn a_masked_address_keeps_its_first_letter_and_domain() {
        assert_eq!(mask("ann@example.com"), "a***@example.com");
        assert_eq!(mask("x"), "***");
    }

    #[test]
    fn the_notice_names_who_was_invited_and_who_got_a_new_link() {
        let s = InvitesSent {
            sent: vec!["a@x.com".into(), "b@x.com".into()],
            renewed: vec!["c@x.com".into()],
        };
        assert_eq!(
            s.sentence(),
            "Invitations sent to a@x.com, b@x.com. c@x.com had an invitation already: a new link was sent, and the old one no longer works."
        );
    }
}
