//! The account page (`/account`): who is signed in, changing the password (the current one
//! first; every other session ends and a notice is mailed), and the signed-in devices, each of
//! which can be signed out from here.

use crate::domain::Password;
use crate::error::AppError;
use crate::i18n::{self, fill};
use crate::ui::form::{last_error, ErrorSummary, Field, FormAlert, SubmitButton, TwoActions};
use crate::ui::guard::ErrorView;
use crate::ui::layout::SignedIn;
use crate::ui::moment::{in_sentence, Moment};
use crate::ui::page::Loading;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// A live session, as its owner sees it. `id` names it without revealing its token or the
/// token's stored hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub id: String,
    /// A short summary of the browser's user agent ("Chrome on Linux").
    pub browser: String,
    pub ip: String,
    pub last_seen: Moment,
    /// The session of the request that asked.
    pub current: bool,
}

/// The signed-in user's live sessions, the most recently used first.
#[server(endpoint = "account/devices")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn my_devices() -> Result<Vec<Device>, AppError> {
    ssr::devices().await
}

/// "Sign out" on one of the user's other devices.
#[server(endpoint = "account/sign_out_device")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn sign_out_device(device: String) -> Result<(), AppError> {
    ssr::sign_out_device(&device).await
}

/// "Sign out everywhere else": every session of the user but this one ends.
#[server(endpoint = "account/sign_out_elsewhere")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn sign_out_everywhere_else() -> Result<(), AppError> {
    ssr::sign_out_elsewhere().await
}

/// "Change password": the current password, the new one twice.
#[server(endpoint = "account/change_password")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    ssr::change_password(&current_password, &new_password, &confirm_password).await
}

/// A person's name for the browser behind a user agent: "Chrome on Linux", "Safari on
/// iPhone", or "Unknown browser". Only fixed words come out, whatever the agent says.
#[cfg(feature = "ssr")]
fn browser_summary(user_agent: &str) -> String {
    let has = |s: &str| user_agent.contains(s);
    // Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari", and
    // Chrome and Firefox on iOS name themselves apart.
    let browser = if has("Edg/") || has("EdgA/") || has("EdgiOS/") || has("Edge/") {
        Some("Edge")
    } else if has("OPR/") || has("Opera") {
        Some("Opera")
    } else if has("Firefox/") || has("FxiOS/") {
        Some("Firefox")
    } else if has("Chrome/") || has("CriOS/") || has("Chromium/") {
        Some("Chrome")
    } else if has("Safari/") {
        Some("Safari")
    } else {
        None
    };
    // An iPhone says "like Mac OS X" and Android says "Linux": the specific ones first.
    let system = if has("iPhone") {
        Some("iPhone")
    } else if has("iPad") {
        Some("iPad")
    } else if has("Android") {
        Some("Android")
    } else if has("Windows") {
        Some("Windows")
    } else if has("CrOS") {
        Some("ChromeOS")
    } else if has("Macintosh") || has("Mac OS X") {
        Some("macOS")
    } else if has("Linux") {
        Some("Linux")
    } else {
        None
    };
    let t = i18n::t();
    match (browser, system) {
        (Some(b), Some(s)) => fill(
            t.account.browser_on_system,
            &[("browser", &b), ("system", &s)],
        ),
        (Some(b), None) => b.to_string(),
        (None, _) => t.account.unknown_browser.to_string(),
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::accounts::passwords;
    use crate::accounts::{require_user, store};
    use crate::error::FieldErrors;
    use crate::server::crypto::{constant_time_eq, Secret};
    use crate::server::mail::{enqueue, templates};
    use crate::server::request::{cookie, is_plain_form_post, state, AppState, OrInternal};
    use crate::server::sessions;
    use crate::ui::moment;

    /// The name of a session on the page: keyed by the secret, so neither the token nor its
    /// stored hash can be read back from it, and stable while the session lives.
    fn device_id(secret: &Secret, token_hash: &str) -> String {
        let mut id = secret.mac_hex(&["device", token_hash]);
        id.truncate(32);
        id
    }

    /// The stored hash of this request's session token. The caller has just been found signed
    /// in by it, so its absence means the session is gone.
    fn this_session(st: &AppState) -> Result<String, AppError> {
        cookie(sessions::cookie_name(&st.config))
            .map(|token| sessions::token_hash(&token))
            .ok_or_else(AppError::unauthenticated)
    }

    pub async fn devices() -> Result<Vec<Device>, AppError> {
        let user = require_user().await?;
        let st = state()?;
        let current = this_session(&st).ok();
        let live = sessions::live_for_user(&st.db, &user.user_id)
            .await
            .or_internal("listing sessions")?;
        Ok(live
            .into_iter()
            .map(|s| Device {
                id: device_id(&st.secret, &s.token_hash),
                browser: browser_summary(&s.user_agent),
                current: current.as_deref() == Some(s.token_hash.as_str()),
                ip: s.ip,
                last_seen: moment::at(s.last_seen_at),
            })
            .collect())
    }

    pub async fn sign_out_device(device: &str) -> Result<(), AppError> {
        let user = require_user().await?;
        let st = state()?;
        let current = this_session(&st)?;
        // Only this user's sessions are searched: another user's id is as unknown as a
        // made-up one.
        let live = sessions::live_for_user(&st.db, &user.user_id)
            .await
            .or_internal("listing sessions")?;
        let Some(target) = live
            .into_iter()
            .map(|s| s.token_hash)
            .find(|hash| constant_time_eq(&device_id(&st.secret, hash), device))
        else {
            return Err(AppError::not_found());
        };
        if target == current {
            return Err(AppError::invalid(i18n::t().account.this_device_in_use));
        }
        // Bound to the user as well, and a parallel request that ended it first leaves it
        // ended just the same.
        sessions::end_for_user(&st.db, &user.user_id, &target)
            .await
            .or_internal("ending a session")?;
        tracing::info!("signed out another device");
        if is_plain_form_post() {
            leptos_axum::redirect("/account");
        }
        Ok(())
    }

    pub async fn sign_out_elsewhere() -> Result<(), AppError> {
        let user = require_user().await?;
        let st = state()?;
        let keep = this_session(&st)?;
        let mut tx = st.db.begin_write().await.or_internal("begin")?;
        let ended = sessions::end_others(&mut tx, &user.user_id, &keep)
            .await
            .or_internal("ending other sessions")?;
        tx.commit().await.or_internal("commit")?;
        tracing::info!(ended, "signed out everywhere else");
        if is_plain_form_post() {
            leptos_axum::redirect("/account");
        }
        Ok(())
    }

    pub async fn change_password(
        current_password: &str,
        new_password: &str,
        confirm: &str,
    ) -> Result<(), AppError> {
        let user = require_user().await?;
        let t = i18n::t();
        let names = [user.username.as_str(), user.email.as_str()];
        let mut errors = FieldErrors::default();
        if let Some(problem) = passwords::current_password_problem(current_password) {
            errors.add("current_password", problem);
        }
        let password = errors.check("new_password", Password::parse(new_password, &names));
        if password.is_some() && !current_password.is_empty() && new_password == current_password {
            errors.add("new_password", t.account.same_as_current);
        }
        if confirm.is_empty() {
            errors.add("confirm_password", t.account.enter_new_again);
        } else if confirm != new_password {
            errors.add("confirm_password", t.account.passwords_differ);
        }
        errors.into_result()?;
        // Every field parsed, so there is a password.
        let Some(password) = password else {
            return Err(AppError::internal());
        };
        let st = state()?;

        // Counted against the same budget as signing in before argon2 runs.
        let proved = passwords::prove_current_password(
            &st,
            &user,
            current_password,
            "current_password",
            "change_password",
        )
        .await?;
        let hash = match passwords::check_and_hash(&password, &names).await {
            Ok(hash) => hash,
            Err(unusable) => {
                // The current password was right: this try does not count against the account.
                proved.give_back(&st.db).await?;
                return Err(unusable.on_field("new_password"));
            }
        };

        let mut tx = st.db.begin_write().await.or_internal("begin")?;
        // Two-step verification turned on since this session was read: the session that
        // turned it on is the only one left, and this one is not it (it may even have ended
        // meanwhile). Read under a share lock, so the new session's mark is right (and a
        // factor turned off meanwhile leaves it unmarked).
        let factor_on = crate::accounts::second_factor::store::is_on_in(&mut tx, &user.user_id)
            .await
            .or_internal("reading a second factor")?;
        if factor_on && !user.second_factor {
            drop(tx);
            proved.give_back(&st.db).await?;
            return Err(AppError::unauthenticated());
        }
        // Only over the password that was just proved: of parallel changes made with the same
        // current password exactly one lands; the others were made with a password that is
        // no longer the account's.
        if !store::replace_password(&mut tx, &user.user_id, &proved.stored_hash, &hash)
            .await
            .or_internal("setting a password")?
        {
            drop(tx);
            // The password given was right when checked: this try does not count.
            proved.give_back(&st.db).await?;
            return Err(AppError::field(
                "current_password",
                crate::i18n::t().accounts.passwords.changed_meanwhile,
            ));
        }
        // Every session ends, this one too: it gets a new token (in case this token is what
        // leaked), and every other device must sign in with the new password.
        sessions::end_all_for_user(&mut tx, &user.user_id)
            .await
            .or_internal("ending sessions")?;
        let started = crate::accounts::session::start_in(&mut tx, &user.user_id, factor_on).await?;
        enqueue(
            &mut tx,
            templates::password_changed_on_account_page(
                user.lang,
                &user.email,
                &user.username,
                &st.config.public_url,
            ),
        )
        .await
        .or_internal("queueing mail")?;
        tx.commit().await.or_internal("commit")?;
        started.set_cookie()?;
        st.mail_ready.notify_one();
        tracing::info!("password changed on the account page");
        proved.clear(&st.db).await?;
        if is_plain_form_post() {
            leptos_axum::redirect("/account?changed=1");
        }
        Ok(())
    }
}

/// "Sign out" on one device, and "Sign out everywhere else".
type DeviceActions = TwoActions<SignOutDevice, SignOutEverywhereElse>;

#[component]
pub fn AccountPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let device_actions = DeviceActions::new();
    // Fetched again after each action: a password change signs the other devices out too.
    let devices = Resource::new(
        move || (change.version().get(), device_actions.version()),
        |_| my_devices(),
    );
    let me = use_context::<SignedIn>().and_then(|s| s.0.get_untracked());
    let names = me
        .as_ref()
        .map(|u| (u.username.clone(), u.email.clone()))
        .unwrap_or_default();
    let t = i18n::t();
    view! {
        <Title text=t.account.title/>
        <section class="panel account" aria-labelledby="account-title">
            <h1 id="account-title">{t.account.title}</h1>
            {me.map(|u| view! {
                <dl class="details">
                    <div><dt>{t.account.username}</dt><dd>{u.username}</dd></div>
                    <div><dt>{t.account.email}</dt><dd>{u.email}</dd></div>
                </dl>
            })}
            <ChangePasswordForm action=change names/>
            <section class="account__section" aria-labelledby="second-factor-link-title">
                <h2 id="second-factor-link-title">{t.second_factor.title}</h2>
                <p>{t.second_factor.account_lead}</p>
                <a class="btn btn--secondary" href=super::SECOND_FACTOR_PATH>{t.second_factor.title}</a>
            </section>
            <section class="account__section" aria-labelledby="devices-title">
                <h2 id="devices-title">{t.account.devices_title}</h2>
                <FormAlert error=device_actions.error/>
                <Transition fallback=Loading>
                    {move || Suspend::new(async move {
                        match devices.await {
                            Ok(list) => Either::Left(view! { <DeviceList list actions=device_actions/> }),
                            Err(e) => Either::Right(view! { <ErrorView error=e/> }),
                        }
                    })}
                </Transition>
            </section>
            <section class="account__section" aria-labelledby="language-title">
                <h2 id="language-title">{t.account.language_title}</h2>
                <p>{i18n::fill(t.account.language_intro, &[("language", &i18n::lang().endonym())])}</p>
                <crate::ui::layout::LanguageSwitcher label=t.account.language_change/>
            </section>
            <super::ExportSection/>
            <super::DeleteAccountSection/>
        </section>
    }
}

#[component]
fn ChangePasswordForm(
    action: ServerAction<ChangePassword>,
    /// The account's username and e-mail, which the new password must not contain.
    names: (String, String),
) -> impl IntoView {
    let query = use_query_map();
    let t = i18n::t();
    let error = last_error(action.value());
    let field = move |name: &'static str| {
        Signal::derive(move || error.get().and_then(|e| e.field_message(name)))
    };
    // With JavaScript the action's answer says it; without, the redirect's `?changed=1`.
    let changed = move || match action.value().get() {
        Some(Ok(())) => true,
        Some(Err(_)) => false,
        None => query.with(|q| q.get("changed").is_some()),
    };
    let (username, email) = names;
    let check_new = Callback::new(move |v: String| {
        Password::parse(&v, &[&username, &email])
            .err()
            .map(|e| e.message())
    });
    let new_typed = RwSignal::new(String::new());
    let form_ref = NodeRef::<leptos::html::Form>::new();
    // The passwords do not stay in the fields once they are changed.
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            #[cfg(feature = "hydrate")]
            if let Some(form) = form_ref.get_untracked() {
                form.reset();
            }
        }
    });
    view! {
        <section class="account__section" aria-labelledby="password-title">
            <h2 id="password-title">{t.account.change_password}</h2>
            {move || changed().then(|| view! {
                <p class="alert alert--success" role="status">
                    {t.account.password_changed}
                </p>
            })}
            <ErrorSummary error labels=vec![
                ("current_password", t.account.current_password), ("new_password", t.account.new_password),
                ("confirm_password", t.account.confirm_password),
            ]/>
            <ActionForm action=action node_ref=form_ref>
                <Field label=t.account.current_password name="current_password" input_type="password"
                    autocomplete="current-password" server_error=field("current_password")/>
                <Field label=t.account.new_password name="new_password" input_type="password"
                    autocomplete="new-password" help=t.invalid.password_rule server_error=field("new_password")
                    mirror=new_typed check=check_new/>
                <Field label=t.account.confirm_password name="confirm_password" input_type="password"
                    autocomplete="new-password" server_error=field("confirm_password")
                    check=Callback::new(move |v: String| (v != new_typed.get_untracked()).then(|| t.account.passwords_differ.to_string()))/>
                <SubmitButton label=t.account.change_password busy_label=t.account.changing pending=action.pending()
                    class="btn btn--primary"/>
            </ActionForm>
        </section>
    }
}

#[component]
fn DeviceList(list: Vec<Device>, actions: DeviceActions) -> impl IntoView {
    let others = list.iter().filter(|d| !d.current).count();
    let t = i18n::t();
    view! {
        <ul class="devices">
            {list.into_iter().map(|d| view! { <DeviceItem d actions/> }).collect_view()}
        </ul>
        {if others == 0 {
            Either::Left(view! { <p class="muted">{t.account.only_this_device}</p> })
        } else {
            Either::Right(view! {
                <ActionForm action=actions.second>
                    <button type="submit" class="btn btn--secondary"
                        disabled=move || actions.pending()>{t.account.sign_out_elsewhere}</button>
                </ActionForm>
            })
        }}
    }
}

#[component]
fn DeviceItem(d: Device, actions: DeviceActions) -> impl IntoView {
    let Device {
        id,
        browser,
        ip,
        last_seen,
        current,
    } = d;
    let t = i18n::t();
    // The button's name says which device it ends, for a screen reader's list of buttons.
    let label = fill(
        t.account.sign_out_device,
        &[("browser", &browser), ("ip", &ip)],
    );
    let meta = in_sentence(t.account.last_seen, "last_seen", last_seen, &[("ip", &ip)]);
    let sign_out = (!current).then(move || {
        view! {
            <ActionForm action=actions.first>
                <input type="hidden" name="device" value=id/>
                <button type="submit" class="btn btn--ghost btn--small" aria-label=label
                    disabled=move || actions.pending()>{t.account.sign_out}</button>
            </ActionForm>
        }
    });
    view! {
        <li class="device">
            <span class="device__body">
                <span class="device__name">
                    {browser}
                    {current.then(|| view! { " " <span class="badge badge--role">{t.account.this_device}</span> })}
                </span>
                <span class="device__meta">{meta}</span>
            </span>
            {sign_out}
        </li>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::browser_summary;

    #[test]
    fn a_user_agent_reads_as_browser_on_system() {
        for (agent, summary) in [
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", "Chrome on Linux"),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36", "Chrome on Linux"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Windows"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari on iPhone"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "Safari on macOS"),
            ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36", "Chrome on Android"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", "Edge on Windows"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1", "Chrome on iPhone"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0", "Opera on Windows"),
        ] {
            assert_eq!(browser_summary(agent), summary, "{agent}");
        }
    }

    #[test]
    fn an_agent_that_names_no_browser_is_unknown() {
        for agent in ["", "curl/8.5.0", "<script>alert(1)</script>", "Linux"] {
            assert_eq!(browser_summary(agent), "Unknown browser", "{agent}");
        }
    }
}
