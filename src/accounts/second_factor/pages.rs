//! The second factor's pages: `/account/second-factor` (set it up, keep the recovery codes,
//! turn it off, the account's security history) and the sign-in's code step.

use super::*;
use crate::domain::SecondFactorCode;
use crate::ui::form::{last_error, ErrorSummary, Field, FormAlert, SubmitButton};
use crate::ui::guard::ErrorView;
use crate::ui::moment::in_sentence;
use crate::ui::page::Loading;
use leptos::either::{Either, EitherOf3};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The browser's instant check of a code field (the server checks again).
fn check_code(app_only: bool) -> Callback<String, Option<String>> {
    Callback::new(move |v: String| {
        let parsed = if app_only {
            SecondFactorCode::parse_app(&v)
        } else {
            SecondFactorCode::parse(&v)
        };
        parsed.err().map(|e| e.message())
    })
}

#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let t = crate::i18n::t();
    let tf = &t.second_factor;
    let begin = ServerAction::<BeginSecondFactor>::new();
    let confirm = ServerAction::<ConfirmSecondFactor>::new();
    let saved = ServerAction::<SavedRecoveryCodes>::new();
    let renew = ServerAction::<RenewRecoveryCodes>::new();
    let disable = ServerAction::<DisableSecondFactor>::new();
    let passkey_state = passkeys::PasskeyState::new();
    let status = Resource::new(
        move || {
            (
                begin.version().get(),
                confirm.version().get(),
                saved.version().get(),
                renew.version().get(),
                disable.version().get(),
                passkey_state.remove.version().get(),
                passkey_state.added.get(),
            )
        },
        |_| second_factor_status(),
    );
    let query = use_query_map();
    let recovery_used = move || query.with(|q| q.get("recovery").is_some());
    let passkey_notice = passkey_state.notice(Signal::derive(move || {
        query.with(|q| q.get("passkey").as_deref() == Some("removed"))
    }));
    let begin_error = last_error(begin.value());
    let saved_error = last_error(saved.value());
    view! {
        <Title text=tf.title/>
        <section class="panel account second-factor" aria-labelledby="second-factor-title">
            <h1 id="second-factor-title">{tf.title}</h1>
            <p class="muted"><a href="/account">{tf.back_to_account}</a></p>
            <FormAlert error=begin_error/>
            <FormAlert error=saved_error/>
            // Outside the part that is made anew when the page reads itself again, so that
            // screen readers hear the change.
            <div class="form-alert-slot" role="status">
                {move || passkey_notice.get().map(|notice| view! {
                    <p class="alert alert--success">{notice}</p>
                })}
            </div>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match status.await {
                        Err(e) => Either::Right(view! { <ErrorView error=e/> }),
                        Ok(s) => {
                            let (passkey_entries, passkeys_here) = (s.passkeys.clone(), s.passkeys_here);
                            Either::Left(view! {
                                {s.must_enrol.then(|| view! {
                                    <p class="alert alert--info" role="status">{tf.reviewers_must}</p>
                                })}
                                {(recovery_used() && s.on_since.is_some()).then(|| view! {
                                    <p class="alert alert--info" role="status">
                                        {crate::i18n::fill(tf.recovery_used, &[("count", &s.codes_left)])}
                                    </p>
                                })}
                                <NewCodes codes=s.new_codes.clone() saved/>
                                {match (s.on_since.clone(), s.setup.clone()) {
                                    (Some(since), _) => EitherOf3::A(view! {
                                        <IsOn since codes_left=s.codes_left reviewer=s.reviewer renew disable>
                                            <passkeys::Passkeys entries=passkey_entries here=passkeys_here
                                                state=passkey_state/>
                                        </IsOn>
                                    }),
                                    (None, Some(setup)) => EitherOf3::B(view! { <SetUp setup confirm begin/> }),
                                    (None, None) => EitherOf3::C(view! {
                                        <p>{tf.off_lead}</p>
                                        <ActionForm action=begin>
                                            <SubmitButton label=tf.set_up busy_label=tf.working pending=begin.pending()
                                                class="btn btn--primary"/>
                                        </ActionForm>
                                    }),
                                }}
                                <History events=s.history/>
                            })
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

/// Recovery codes just made: shown until the person says they are saved.
#[component]
fn NewCodes(codes: Vec<String>, saved: ServerAction<SavedRecoveryCodes>) -> impl IntoView {
    let tf = &crate::i18n::t().second_factor;
    (!codes.is_empty()).then(|| {
        view! {
            <section class="account__section recovery-codes" aria-labelledby="codes-title">
                <h2 id="codes-title">{tf.codes_title}</h2>
                <p>{tf.codes_lead}</p>
                <ol class="recovery-codes__list" aria-label=tf.codes_title>
                    {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                </ol>
                <p>
                    <a class="btn btn--secondary" href=RECOVERY_CODES_PATH download="recovery-codes.txt" rel="external">
                        {tf.download}
                    </a>
                </p>
                <ActionForm action=saved>
                    <SubmitButton label=tf.saved busy_label=tf.working pending=saved.pending()
                        class="btn btn--primary"/>
                </ActionForm>
            </section>
        }
    })
}

#[component]
fn SetUp(
    setup: Setup,
    confirm: ServerAction<ConfirmSecondFactor>,
    begin: ServerAction<BeginSecondFactor>,
) -> impl IntoView {
    let t = crate::i18n::t();
    let tf = &t.second_factor;
    let error = last_error(confirm.value());
    let field = move |name: &'static str| {
        Signal::derive(move || error.get().and_then(|e| e.field_message(name)))
    };
    view! {
        <section class="account__section" aria-labelledby="setup-title">
            <h2 id="setup-title">{tf.setup_title}</h2>
            <ol class="setup-steps">
                <li>
                    <p>{tf.scan}</p>
                    <div class="qr" role="img" aria-label=tf.qr_label inner_html=setup.qr_svg></div>
                    <p>{tf.or_type_key}</p>
                    <p><code class="setup-key">{setup.key}</code></p>
                    <p><a href=setup.address rel="external">{tf.open_in_app}</a></p>
                </li>
                <li>
                    <p>{tf.enter_code}</p>
                    <ErrorSummary error labels=vec![
                        ("current_password", t.account.current_password), ("code", tf.app_code_label),
                    ]/>
                    <ActionForm action=confirm>
                        <Field label=t.account.current_password name="current_password" input_type="password"
                            autocomplete="current-password" server_error=field("current_password")/>
                        <Field label=tf.app_code_label name="code" autocomplete="one-time-code"
                            inputmode="numeric" maxlength=7 server_error=field("code") check=check_code(true)/>
                        <SubmitButton label=tf.turn_on busy_label=tf.working pending=confirm.pending()
                            class="btn btn--primary"/>
                    </ActionForm>
                </li>
            </ol>
            <ActionForm action=begin>
                <button type="submit" class="btn btn--ghost btn--small">{tf.new_key}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn IsOn(
    since: Moment,
    codes_left: i64,
    reviewer: bool,
    renew: ServerAction<RenewRecoveryCodes>,
    disable: ServerAction<DisableSecondFactor>,
    /// What comes between the recovery codes and turning it off (the passkeys).
    children: Children,
) -> impl IntoView {
    let t = crate::i18n::t();
    let tf = &t.second_factor;
    let renew_error = last_error(renew.value());
    let renew_field = move |name: &'static str| {
        Signal::derive(move || renew_error.get().and_then(|e| e.field_message(name)))
    };
    let disable_error = last_error(disable.value());
    let disable_field = move |name: &'static str| {
        Signal::derive(move || disable_error.get().and_then(|e| e.field_message(name)))
    };
    view! {
        <section class="account__section" aria-labelledby="on-title">
            <h2 id="on-title">{tf.on_title}</h2>
            <p class="alert alert--success" role="status">{in_sentence(tf.on_since, "since", since, &[])}</p>
            <p>{crate::i18n::fill(tf.codes_left, &[("count", &codes_left)])}</p>
        </section>
        <section class="account__section" aria-labelledby="renew-title">
            <h2 id="renew-title">{tf.renew_title}</h2>
            <p>{tf.renew_lead}</p>
            <ErrorSummary error=renew_error labels=vec![
                ("password", t.account.current_password), ("renew_code", tf.code_label),
            ]/>
            <ActionForm action=renew>
                <Field label=t.account.current_password name="password" input_type="password"
                    autocomplete="current-password" server_error=renew_field("password")/>
                <Field label=tf.code_label name="renew_code" autocomplete="one-time-code" help=tf.code_help
                    server_error=renew_field("renew_code") check=check_code(false)/>
                <SubmitButton label=tf.renew busy_label=tf.working pending=renew.pending()
                    class="btn btn--secondary"/>
            </ActionForm>
        </section>
        {children()}
        <section class="account__section" aria-labelledby="off-title">
            <h2 id="off-title">{tf.off_title}</h2>
            <p>{if reviewer { tf.off_lead_reviewer } else { tf.off_lead_everyone }}</p>
            <ErrorSummary error=disable_error labels=vec![
                ("current_password", t.account.current_password), ("code", tf.code_label),
            ]/>
            <ActionForm action=disable>
                <Field label=t.account.current_password name="current_password" input_type="password"
                    autocomplete="current-password" server_error=disable_field("current_password")/>
                <Field label=tf.code_label name="code" autocomplete="one-time-code" help=tf.code_help
                    server_error=disable_field("code") check=check_code(false)/>
                <SubmitButton label=tf.turn_off busy_label=tf.working pending=disable.pending()
                    class="btn btn--danger"/>
            </ActionForm>
        </section>
    }
}

#[component]
fn History(events: Vec<SecurityEvent>) -> impl IntoView {
    let tf = &crate::i18n::t().second_factor;
    view! {
        <section class="account__section" aria-labelledby="security-history-title">
            <h2 id="security-history-title">{tf.history_title}</h2>
            {if events.is_empty() {
                Either::Left(view! { <p class="muted">{tf.history_empty}</p> })
            } else {
                Either::Right(view! {
                    <ul class="security-history">
                        {events.into_iter().map(|e| view! {
                            <li>{in_sentence(tf.history_entry, "at", e.at, &[("what", &e.what)])}</li>
                        }).collect_view()}
                    </ul>
                })
            }}
        </section>
    }
}

/// The sign-in's second step (`SIGN_IN_CODE_PATH`).
#[component]
pub fn SignInCodePage() -> impl IntoView {
    let t = crate::i18n::t();
    let tf = &t.second_factor;
    let action = ServerAction::<SignInCode>::new();
    let error = last_error(action.value());
    let code_error = Signal::derive(move || error.get().and_then(|e| e.field_message("code")));
    view! {
        <Title text=tf.title/>
        <section class="auth-card" aria-labelledby="code-title">
            <h1 id="code-title">{tf.title}</h1>
            <p class="auth-card__lead">{tf.sign_in_lead}</p>
            <passkeys::PasskeySignIn/>
            <ErrorSummary error labels=vec![("code", tf.code_label)]/>
            <ActionForm action=action>
                <Field label=tf.code_label name="code" autocomplete="one-time-code" help=tf.code_help
                    server_error=code_error check=check_code(false)/>
                <SubmitButton label=tf.verify busy_label=tf.verifying pending=action.pending()/>
            </ActionForm>
            <p class="auth-card__switch"><a href="/signin">{tf.sign_in_again}</a></p>
        </section>
    }
}
