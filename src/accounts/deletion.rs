//! "Delete my account" on the account page: the password first, counted like a sign-in; refused
//! while the account owns a workspace that has other members; otherwise, in one transaction, the
//! account becomes a tombstone (its e-mail, username and password replaced), every session ends,
//! its drafts, unused logos, acceptances and codes go, and a notice is mailed to the old address.
//! What it submitted stays with the reviewers, under the replaced e-mail.

use crate::error::AppError;
use crate::i18n;
use crate::ui::form::{last_error, ErrorSummary, Field, SubmitButton};
use leptos::prelude::*;

/// "Delete my account": the current password, to prove it is the person and not a session left
/// open somewhere.
#[server(endpoint = "account/delete")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn delete_account(password: String) -> Result<(), AppError> {
    ssr::delete_account(&password).await
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::accounts::passwords;
    use crate::accounts::require_user;
    use crate::accounts::store::{self, Deletion};
    use crate::server::db::now_ms;
    use crate::server::mail::{enqueue, templates};
    use crate::server::request::{is_plain_form_post, set_cookie, state, OrInternal};
    use crate::server::sessions;
    use crate::workspaces::store::{self as team, Leaving};

    /// The refusal of an Owner whose workspace has other members, with the way out.
    fn owns_a_team(workspace: &str) -> String {
        i18n::fill(i18n::t().account.owns_a_team, &[("workspace", &workspace)])
    }

    pub async fn delete_account(password: &str) -> Result<(), AppError> {
        let user = require_user().await?;
        let st = state()?;
        let proved =
            passwords::prove_current_password(&st, &user, password, "password", "delete_account")
                .await?;

        let mut tx = st.db.begin_write().await.or_internal("begin")?;
        // Only over the password that was just proved: of parallel deletions exactly one lands,
        // and a password changed meanwhile deletes nothing.
        match store::tombstone(&mut tx, &user.user_id, &proved.stored_hash)
            .await
            .or_internal("deleting an account")?
        {
            Deletion::Deleted => {}
            Deletion::PasswordChanged => {
                drop(tx);
                proved.give_back(&st.db).await?;
                return Err(AppError::field(
                    "password",
                    crate::i18n::t().accounts.passwords.changed_meanwhile,
                ));
            }
            // A parallel request deleted it (and ended this session with it).
            Deletion::AlreadyDeleted => return Err(AppError::unauthenticated()),
        }
        // The account's row is held now: its teams next (a join for it waits, then finds it
        // deleted).
        if let Leaving::OwnsATeam { workspace } =
            team::leave_all_for_deletion(&mut tx, &user.user_id, now_ms())
                .await
                .or_internal("leaving the account's teams")?
        {
            drop(tx);
            // The password was right: this try does not count against the account.
            proved.give_back(&st.db).await?;
            return Err(AppError::invalid(owns_a_team(&workspace)));
        }
        sessions::end_all_for_user(&mut tx, &user.user_id)
            .await
            .or_internal("ending sessions")?;
        store::forget(&mut tx, &user.user_id, &user.email)
            .await
            .or_internal("deleting what a deleted account leaves")?;
        // To the address the account had: the only one that reaches the person now.
        enqueue(
            &mut tx,
            templates::account_deleted(
                user.lang,
                &user.email,
                &user.username,
                &st.config.public_url,
            ),
        )
        .await
        .or_internal("queueing mail")?;
        tx.commit().await.or_internal("commit")?;
        set_cookie(&sessions::clear_cookie_header(&st.config));
        st.mail_ready.notify_one();
        tracing::info!("account deleted");
        // Nothing is left to guess at under this account's key.
        proved.clear(&st.db).await?;
        // The page navigates through the redirect hook (JavaScript on); a plain form post is
        // redirected, and its query says why the visitor landed on the home page.
        leptos_axum::redirect(if is_plain_form_post() {
            "/?account_deleted=1"
        } else {
            "/"
        });
        Ok(())
    }
}

/// The account page's last section: what deleting does, said before the password is asked
/// for, and the form (which works without JavaScript; with it, the page goes home afterwards).
#[component]
pub fn DeleteAccountSection() -> impl IntoView {
    let action = ServerAction::<DeleteAccount>::new();
    let error = last_error(action.value());
    let password_error =
        Signal::derive(move || error.get().and_then(|e| e.field_message("password")));
    let t = i18n::t();
    view! {
        <section class="account__section account__danger" aria-labelledby="delete-title">
            <h2 id="delete-title">{t.account.delete_title}</h2>
            <p>{t.account.delete_intro}</p>
            <ul>
                <li>{t.account.delete_signs_out}</li>
                <li>{t.account.delete_drafts}</li>
                <li>{t.account.delete_keeps_applications}</li>
            </ul>
            <p>{t.account.delete_owner_first}</p>
            <p><strong>{t.account.delete_final}</strong></p>
            <ErrorSummary error labels=vec![("password", t.account.password)]/>
            <ActionForm action=action>
                <Field label=t.account.password name="password" input_type="password"
                    autocomplete="current-password" server_error=password_error/>
                <SubmitButton label=t.account.delete_title busy_label=t.account.deleting
                    pending=action.pending() class="btn btn--danger"/>
            </ActionForm>
        </section>
    }
}
