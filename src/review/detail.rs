//! `/review/{id}`: one application with everything the applicant submitted, the applicant,
//! their acceptances and the history; assignment and the decision. Each submission is a round:
//! `/review/{id}?round=N` shows round N as it was submitted, and history entries link to their
//! round. It follows the live feed, so a decision made elsewhere shows here at once.

use super::{
    review_application, ApproveApplication, RejectApplication, ReleaseApplication, RequestChanges,
    ReviewDetail, TakeApplication,
};
use crate::applications::{BusinessDetails, Comparison, History, RequestedChanges, StatusBadge};
use crate::domain::{BusinessField, ChangeRequest, RejectionReason, Status};
use crate::i18n::fill;
use crate::live::{use_live_events, LiveIndicator};
use crate::ui::form::{ErrorLine, ErrorSummary, FormAlert, TwoActions};
use crate::ui::guard::ErrorView;
use crate::ui::moment::in_sentence;
use crate::ui::page::Loading;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_params_map};

/// The dashboard's filters this page was opened with (its query without `round`), kept in its
/// links so that "Review dashboard" returns to the same queue.
fn filters(search: &str) -> String {
    let mut kept = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(search.trim_start_matches('?').as_bytes()) {
        if k != "round" {
            kept.append_pair(&k, &v);
        }
    }
    kept.finish()
}

/// The address of application `id` that the number of a round completes, keeping the
/// dashboard's filters.
fn round_href_prefix(id: &str, filters: &str) -> String {
    if filters.is_empty() {
        format!("/review/{id}?round=")
    } else {
        format!("/review/{id}?{filters}&round=")
    }
}

/// "Assign to me" and "Unassign".
type Assignment = TwoActions<TakeApplication, ReleaseApplication>;
/// "Approve" and "Reject".
type Decision = TwoActions<ApproveApplication, RejectApplication>;

#[component]
pub fn ReviewDetailPage() -> impl IntoView {
    let t = &crate::i18n::t().review;
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let search = use_location().search;
    let round = move || {
        search.with(|q| {
            url::form_urlencoded::parse(q.trim_start_matches('?').as_bytes())
                .find(|(k, _)| k == "round")
                .and_then(|(_, v)| v.parse::<i64>().ok())
        })
    };
    let assign = Assignment::new();
    let decide = Decision::new();
    let request = ServerAction::<RequestChanges>::new();
    let refresh = RwSignal::new(0u32);
    let detail = Resource::new(
        move || {
            (
                id(),
                round(),
                refresh.get(),
                assign.version(),
                decide.version(),
                request.version().get(),
            )
        },
        |(id, round, ..)| review_application(id, round),
    );
    let live = use_live_events(
        move |event| {
            if event.application_id == id() {
                refresh.update(|n| *n += 1);
            }
        },
        move || refresh.update(|n| *n += 1),
    );
    let back = move || match filters(&search.get()).as_str() {
        "" => "/review".to_string(),
        q => format!("/review?{q}"),
    };
    view! {
        <Title text=t.detail.title/>
        <section class="panel panel--wide">
            <p class="breadcrumb"><a href=back>{t.dashboard.title}</a> {t.detail.breadcrumb_application}</p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(d) => {
                            let kept = filters(&search.get_untracked());
                            Either::Left(view! { <Detail d filters=kept live assign decide request/> })
                        }
                        Err(e) => Either::Right(view! { <ErrorView error=e heading=t.detail.title/> }),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Detail(
    d: ReviewDetail,
    /// The dashboard's filters, kept in the links to rounds.
    filters: String,
    live: ReadSignal<crate::live::LiveState>,
    assign: Assignment,
    decide: Decision,
    request: ServerAction<RequestChanges>,
) -> impl IntoView {
    let t = &crate::i18n::t().review.detail;
    let round_label = crate::i18n::t().review.application.round;
    let app = d.app.clone();
    let current = app.round == d.round;
    // Only the current round can be decided, and only while it is under review.
    let open = current && app.status == Status::UnderReview;
    let round_prefix = round_href_prefix(&app.id, &filters);
    let href = {
        let prefix = round_prefix.clone();
        move |round: i64| format!("{prefix}{round}")
    };
    let rounds = (d.rounds.len() > 1).then(|| {
        view! {
            <nav class="rounds" aria-label=t.rounds>
                <h2>{t.rounds}</h2>
                <ol>
                    {d.rounds.iter().map(|r| {
                        let n = r.app.round;
                        let shown = n == app.round;
                        let decided = match (&r.decided_by, &r.decided_at) {
                            (Some(by), Some(at)) => Some(in_sentence(t.decided_by, "at", at.clone(), &[("by", by)])),
                            (None, Some(at)) => Some(in_sentence(t.decided_at, "at", at.clone(), &[])),
                            _ => None,
                        };
                        view! {
                            <li class:rounds__item--shown=shown>
                                <a href=href(n) aria-current=shown.then_some("page")>{fill(round_label, &[("round", &n)])}</a>
                                " " <StatusBadge status=r.app.status/>
                                <span class="rounds__meta">
                                    {r.app.submitted_at.clone().map(|at| in_sentence(t.round_submitted, "at", at, &[]))}
                                    {decided}
                                </span>
                                {r.app.rejection_reason.clone().map(|reason| view! { <p class="rounds__reason">{t.reason_prefix} {reason}</p> })}
                                {r.app.requested_changes.clone().map(|request| view! { <RequestedChanges request/> })}
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </nav>
        }
    });
    view! {
        <div class="panel__head">
            {app.logo_url.clone().map(|src| view! { <img class="workspace-logo" src=src alt=t.logo_alt width="56" height="56"/> })}
            <h1>{app.fields.company_name.clone()}</h1>
            <StatusBadge status=app.status/>
            {app.resubmitted.then(|| view! { <span class="tag">{crate::i18n::t().review.dashboard.tag_resubmitted}</span> })}
            <LiveIndicator state=live/>
        </div>
        {(!current).then(|| view! {
            <p class="alert alert--info" role="status">
                {fill(t.earlier_round, &[("round", &app.round)])}
                <a href=href(d.round)>{fill(t.open_current_round, &[("round", &d.round)])}</a>
            </p>
        })}
        {if d.own {
            Either::Left(view! {
                <p class="alert alert--info" role="status">{t.own_application}</p>
            })
        } else if open {
            Either::Right(Some(view! { <Actions d=d.clone() assign decide request/> }))
        } else {
            Either::Right(None)
        }}
        {rounds}
        <Comparison rounds=d.rounds.clone() shown=app.round/>
        <div class="review-columns">
            <div>
                <h2>{t.business_information}</h2>
                <BusinessDetails app=app.clone()/>
                {app.submitted_at.clone().map(|at| view! { <p class="muted">{in_sentence(t.submitted_on, "date", at, &[])}</p> })}
            </div>
            <div>
                <h2>{t.applicant}</h2>
                <dl class="details">
                    <div><dt>{t.username}</dt><dd>{d.applicant.clone()}</dd></div>
                    <div><dt>{t.email}</dt><dd>{d.applicant_email.clone()}</dd></div>
                    <div><dt>{t.assigned_to}</dt><dd>{d.assigned_to.clone().unwrap_or_else(|| crate::i18n::t().review.dashboard.unassigned.into())}</dd></div>
                </dl>
                <h2>{t.agreements}</h2>
                <ul class="agreements">
                    {d.acceptances.iter().map(|a| view! {
                        <li>{in_sentence(t.agreement, "date", a.accepted_at.clone(), &[("document", &a.document), ("version", &a.version)])}</li>
                    }).collect_view()}
                </ul>
            </div>
        </div>
        <h2>{t.history}</h2>
        <p><a class="btn btn--secondary btn--small" href=super::export::history_csv_href(&app.id) download="" rel="external">{crate::i18n::t().review.export.export_history}</a></p>
        <History entries=d.history.clone() round_href=Some(round_prefix)/>
    }
}

/// "Request changes": a checkbox per field (its note shows once it is checked, by CSS alone,
/// so the form works without JavaScript), a note on each, and a general note.
#[component]
fn RequestForm(id: String, round: i64, request: ServerAction<RequestChanges>) -> impl IntoView {
    let t = &crate::i18n::t().review.detail;
    let error = crate::ui::form::last_error(request.value());
    let kept = move |name: String| {
        error
            .get_untracked()
            .and_then(|e| e.kept_value(&name))
            .unwrap_or_default()
    };
    let field_error = move |name: String| {
        Signal::derive(move || error.get().and_then(|e| e.field_message(&name)))
    };
    let mut labels: Vec<(&'static str, &'static str)> = vec![
        ("fields", t.fields_to_change),
        ("general_note", t.general_note_label),
    ];
    // Field names for the summary's links: `note_<field>` (static strings, once per field).
    for f in BusinessField::ALL {
        labels.push((f.note_name(), f.label()));
    }
    let fields_error = field_error("fields".into());
    let general_error = field_error("general_note".into());
    view! {
        <ActionForm action=request attr:class="decision decision--changes">
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="round" value=round.to_string()/>
            <ErrorSummary error labels/>
            <fieldset class="change-fields" aria-describedby="fields-help fields-error">
                <legend class="field__label">{t.fields_to_change}</legend>
                <p id="fields-help" class="field__help">{fill(t.fields_help, &[("min", &ChangeRequest::NOTE_MIN), ("max", &ChangeRequest::NOTE_MAX)])}</p>
                {BusinessField::ALL.into_iter().map(|f| {
                    let pick = format!("pick_{}", f.key());
                    let note = f.note_name();
                    let note_error = field_error(note.to_string());
                    let error_id = format!("{note}-error");
                    let picked = !kept(pick.clone()).is_empty();
                    view! {
                        <div class="change-field" class:field--invalid=move || note_error.get().is_some()>
                            <input type="checkbox" id=pick.clone() name=pick.clone() value="on" checked=picked/>
                            <label for=pick>{f.label()}</label>
                            <div class="change-field__note">
                                <label for=note class="field__label">{fill(t.note_on, &[("field", &f.label())])}</label>
                                <textarea id=note name=note rows="2" maxlength=ChangeRequest::NOTE_MAX.to_string()
                                    aria-describedby=error_id.clone()
                                    aria-invalid=move || note_error.get().is_some().then_some("true")>{kept(note.to_string())}</textarea>
                                <ErrorLine id=error_id error=note_error/>
                            </div>
                        </div>
                    }
                }).collect_view()}
                <ErrorLine id="fields-error" error=fields_error/>
            </fieldset>
            <div class="field" class:field--invalid=move || general_error.get().is_some()>
                <label for="general_note" class="field__label">{t.general_note_label}</label>
                <textarea id="general_note" name="general_note" rows="2" maxlength=ChangeRequest::GENERAL_MAX.to_string()
                    aria-describedby="general_note-error">{kept("general_note".into())}</textarea>
                <ErrorLine id="general_note-error" error=general_error/>
            </div>
            <button type="submit" class="btn btn--secondary"
                disabled=move || request.pending().get()>{t.request_changes}</button>
        </ActionForm>
    }
}

/// Assignment and the decision, for an application under review.
#[component]
fn Actions(
    d: ReviewDetail,
    assign: Assignment,
    decide: Decision,
    request: ServerAction<RequestChanges>,
) -> impl IntoView {
    let t = &crate::i18n::t().review.detail;
    let id = StoredValue::new(d.app.id.clone());
    let decide_error = decide.error;
    let reason_error =
        Signal::derive(move || decide_error.get().and_then(|e| e.field_message("reason")));
    let kept_reason = decide_error
        .get_untracked()
        .and_then(|e| e.kept_value("reason"))
        .unwrap_or_default();
    let local_reason_error = RwSignal::new(None::<String>);
    let shown_reason_error =
        Signal::derive(move || local_reason_error.get().or_else(|| reason_error.get()));
    let TwoActions {
        first: take,
        second: release,
        error: assign_error,
    } = assign;
    // Unassigning is the main button once it is the reviewer's own.
    let release_class = if d.assigned_to_me {
        "btn btn--secondary"
    } else {
        "btn btn--ghost"
    };
    view! {
        <div class="review-actions">
            <div class="review-actions__assign">
                {(!d.assigned_to_me).then(|| view! {
                    <ActionForm action=take>
                        <input type="hidden" name="id" value=id.get_value()/>
                        <input type="hidden" name="round" value=d.round.to_string()/>
                        <button type="submit" class="btn btn--secondary"
                            disabled=move || assign.pending()>{t.assign_to_me}</button>
                    </ActionForm>
                })}
                {d.assigned_to.is_some().then(|| view! {
                    <ActionForm action=release>
                        <input type="hidden" name="id" value=id.get_value()/>
                        <input type="hidden" name="round" value=d.round.to_string()/>
                        <button type="submit" class=release_class
                            disabled=move || assign.pending()>{t.unassign}</button>
                    </ActionForm>
                })}
            </div>
            <FormAlert error=assign_error/>
            <ErrorSummary error=decide_error labels=vec![("reason", t.reason_label)]/>
            <div class="review-actions__decide">
                <ActionForm action=decide.first attr:class="decision decision--approve">
                    <input type="hidden" name="id" value=id.get_value()/>
                    <input type="hidden" name="round" value=d.round.to_string()/>
                    <button type="submit" class="btn btn--primary"
                        disabled=move || decide.pending()>{t.approve}</button>
                </ActionForm>
                <ActionForm action=decide.second attr:class="decision decision--reject">
                    <input type="hidden" name="id" value=id.get_value()/>
                    <input type="hidden" name="round" value=d.round.to_string()/>
                    <div class="field" class:field--invalid=move || shown_reason_error.get().is_some()>
                        <label for="reason" class="field__label">{t.reason_label}</label>
                        <textarea id="reason" name="reason" rows="3" maxlength=RejectionReason::MAX.to_string() autocomplete="off"
                            aria-describedby="reason-help reason-error"
                            aria-invalid=move || shown_reason_error.get().is_some().then_some("true")
                            on:blur=move |ev| {
                                let v = event_target_value(&ev);
                                local_reason_error.set(if v.trim().is_empty() { None } else { RejectionReason::parse(&v).err().map(|e| e.message()) });
                            }
                        >{kept_reason}</textarea>
                        <p id="reason-help" class="field__help">{t.reason_help} " " {t.reject_final}</p>
                        <ErrorLine id="reason-error" error=shown_reason_error/>
                    </div>
                    <button type="submit" class="btn btn--danger"
                        disabled=move || decide.pending()>{t.reject}</button>
                </ActionForm>
            </div>
            <RequestForm id=id.get_value() round=d.round request/>
        </div>
    }
}
