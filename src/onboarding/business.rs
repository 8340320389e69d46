//! Business information (seed Step 2.2): the form, its draft kept on the server as the
//! applicant goes, the logo upload, and Submit. One multipart form, so that everything,
//! the logo included, works with JavaScript off; each of its buttons posts to a server function
//! of its own (`formaction`), and all of them read the form the same way.

use super::my_draft;
use super::steps::Steps;
use crate::applications::ApplicationView;
#[cfg(feature = "ssr")]
use crate::domain::CountryCode;
use crate::domain::{
    BusinessAddress, CompanyName, Email, Invalid, PhoneNumberInput, Representative, Website,
};
use crate::error::AppError;
use crate::ui::form::{url_error, Agreement, ErrorLine, ErrorSummary, Field};
use crate::ui::guard::ErrorView;
use crate::ui::page::Loading;
use leptos::either::Either;
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use serde::{Deserialize, Serialize};

/// Where each button of the form posts.
const SAVE_PATH: &str = <SaveBusinessDraft as ServerFn>::PATH;
const SUBMIT_PATH: &str = <SubmitBusiness as ServerFn>::PATH;
const GO_BACK_PATH: &str = <SaveBusinessAndGoBack as ServerFn>::PATH;

/// The Business Logo's rules: the numbers, and every sentence that names them. The summary is
/// shown under the field (browser and server); the refusals are said by the server
/// (`onboarding::logo` and the body limit of the form's endpoints).
pub mod logo_rules {
    use crate::i18n::fill;

    /// The largest logo file accepted.
    pub const MAX_BYTES: usize = 256 * 1024;
    /// The shortest side accepted, in pixels.
    pub const MIN_SIDE: u32 = 128;
    const MAX_KB: usize = MAX_BYTES / 1024;

    /// The rules in one sentence, under the field.
    pub fn summary() -> String {
        fill(
            crate::i18n::t().onboarding.logo.summary,
            &[("max_kb", &MAX_KB), ("min_side", &MIN_SIDE)],
        )
    }

    /// A logo over the limit, refused while it arrives (before its whole size is known), in
    /// the request's language.
    #[cfg(feature = "ssr")]
    pub fn too_large() -> crate::error::AppError {
        crate::error::AppError::field(
            "logo",
            fill(
                crate::i18n::t().onboarding.logo.too_large,
                &[("max_kb", &MAX_KB)],
            ),
        )
    }

    /// A logo over the limit, of `bytes`.
    #[cfg(feature = "ssr")]
    pub fn over_size(bytes: usize) -> String {
        fill(
            crate::i18n::t().onboarding.logo.over_size,
            &[("size_kb", &bytes.div_ceil(1024)), ("max_kb", &MAX_KB)],
        )
    }

    #[cfg(feature = "ssr")]
    pub fn not_square(width: u32, height: u32) -> String {
        fill(
            crate::i18n::t().onboarding.logo.not_square,
            &[("width", &width), ("height", &height)],
        )
    }

    #[cfg(feature = "ssr")]
    pub fn too_small(width: u32, height: u32) -> String {
        fill(
            crate::i18n::t().onboarding.logo.too_small,
            &[
                ("min_side", &MIN_SIDE),
                ("width", &width),
                ("height", &height),
            ],
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BusinessOutcome {
    /// The draft was saved (with the logo's address when one was uploaded).
    Saved {
        logo_url: Option<String>,
    },
    Submitted {
        id: String,
    },
}

/// Saves the draft: the Save draft button, Enter in a field, and the page's autosave.
#[server(input = MultipartFormData, endpoint = "onboarding/save_business")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(
        skip_all,
        fields(user = tracing::field::Empty, application = tracing::field::Empty)
    )
)]
pub async fn save_business_draft(data: MultipartData) -> Result<BusinessOutcome, AppError> {
    ssr::save(data, ssr::After::Stay).await
}

/// Saves the draft, then submits it for review (a replay of a submitted one answers the same).
#[server(input = MultipartFormData, endpoint = "onboarding/submit_business")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(
        skip_all,
        fields(user = tracing::field::Empty, application = tracing::field::Empty)
    )
)]
pub async fn submit_business(data: MultipartData) -> Result<BusinessOutcome, AppError> {
    ssr::save(data, ssr::After::Submit).await
}

/// The Previous button: saves the draft and goes back to the role.
#[server(input = MultipartFormData, endpoint = "onboarding/save_business_and_go_back")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(
        skip_all,
        fields(user = tracing::field::Empty, application = tracing::field::Empty)
    )
)]
pub async fn save_business_and_go_back(data: MultipartData) -> Result<BusinessOutcome, AppError> {
    ssr::save(data, ssr::After::GoBack).await
}

/// The form's endpoints for the body-limit middleware: each takes a logo and room for the text
/// fields beside it, and a larger body is refused as a logo over the limit.
#[cfg(feature = "ssr")]
pub fn uploads() -> Vec<crate::server::http::body_limit::Upload> {
    use crate::server::http::body_limit::Upload;
    const TEXT_ROOM: usize = 32 * 1024;
    [SAVE_PATH, SUBMIT_PATH, GO_BACK_PATH]
        .into_iter()
        .map(|path| Upload {
            path,
            limit: logo_rules::MAX_BYTES + TEXT_ROOM,
            too_large: logo_rules::too_large,
        })
        .collect()
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::applications::store::{self, Submitted};
    use crate::applications::BusinessFields;
    use crate::error::FieldErrors;
    use crate::onboarding::logo::{self, Logo};
    use crate::server::mail::enqueue;
    use crate::server::request::{client_ip, is_plain_form_post, state, user_agent, OrInternal};
    use crate::site::{privacy_version, terms_version};
    use std::collections::HashMap;

    const MAX_TEXT: usize = 4 * 1024;
    const MAX_PARTS: usize = 40;

    /// What follows a saved draft, one per server function.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum After {
        Stay,
        Submit,
        GoBack,
    }

    struct Form {
        text: HashMap<String, String>,
        logo: Option<(String, Vec<u8>)>,
    }

    impl Form {
        fn get(&self, name: &str) -> String {
            self.text.get(name).cloned().unwrap_or_default()
        }
    }

    /// A body that is not the form (broken multipart, text that is not UTF-8): 400.
    fn unreadable() -> AppError {
        AppError::malformed()
    }

    /// Reads the parts we know; anything else (a status, a reviewer, an owner) is ignored.
    /// The body is always read to its end (it is bounded by the body-limit middleware), also
    /// when a part breaks a rule: answering before the client has sent everything makes it see
    /// a broken connection instead of the answer.
    async fn read(data: MultipartData) -> Result<Form, AppError> {
        let mut data = data.into_inner().ok_or_else(unreadable)?;
        let mut form = Form {
            text: HashMap::new(),
            logo: None,
        };
        let mut refused: Option<AppError> = None;
        let mut parts = 0;
        while let Some(mut field) = data.next_field().await.map_err(|_| unreadable())? {
            parts += 1;
            if parts > MAX_PARTS && refused.is_none() {
                refused = Some(unreadable());
            }
            let name = field.name().unwrap_or_default().to_string();
            let is_logo = name == "logo";
            let limit = if is_logo {
                logo_rules::MAX_BYTES
            } else {
                MAX_TEXT
            };
            let file_name = field.file_name().unwrap_or_default().to_string();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
                if refused.is_some() {
                    continue;
                }
                if bytes.len() + chunk.len() > limit {
                    refused = Some(if is_logo {
                        logo_rules::too_large()
                    } else {
                        AppError::invalid(crate::i18n::t().onboarding.business.field_too_long)
                    });
                    continue;
                }
                bytes.extend_from_slice(&chunk);
            }
            if refused.is_some() {
                continue;
            }
            if is_logo {
                if !bytes.is_empty() || !file_name.is_empty() {
                    form.logo = Some((file_name, bytes));
                }
            } else {
                match String::from_utf8(bytes) {
                    Ok(text) => {
                        form.text.insert(name, text);
                    }
                    // Refused once the rest has been read, like every other broken part.
                    Err(_) => refused = Some(unreadable()),
                }
            }
        }
        match refused {
            Some(e) => Err(e),
            None => Ok(form),
        }
    }

    /// Keeps a draft's text bounded; the full rules apply on Submit.
    fn draft_fields(form: &Form) -> BusinessFields {
        let cut = |name: &str, max: usize| -> String { form.get(name).chars().take(max).collect() };
        BusinessFields {
            company_name: cut("company_name", 300),
            business_address: cut("business_address", 600),
            country: cut("country", 100),
            representative: cut("representative", 300),
            website: cut("website", 400),
            service_phone: cut("service_phone", 60),
            service_email: cut("service_email", 300),
        }
    }

    /// Every answer, with its HTTP status for fetch clients.
    pub async fn save(data: MultipartData, after: After) -> Result<BusinessOutcome, AppError> {
        save_then(data, after).await
    }

    async fn save_then(data: MultipartData, after: After) -> Result<BusinessOutcome, AppError> {
        // Read first: the answer comes after the whole request (see `read`).
        let form = read(data).await;
        let user = crate::accounts::require_user().await?;
        let form = form?;
        // The form always carries it (a hidden input): without it the request is broken.
        let id = form
            .text
            .get("application_id")
            .cloned()
            .ok_or_else(AppError::malformed)?;
        tracing::Span::current().record("application", id.as_str());
        let fields = draft_fields(&form);
        let st = state()?;

        let logo: Option<Logo> = match &form.logo {
            None => None,
            Some((name, bytes)) => {
                logo::check_file_name(name)?;
                Some(logo::process_queued(bytes.clone()).await?)
            }
        };

        let mut tx = st.db.begin_write().await.or_internal("begin")?;
        if !store::save_draft(&mut tx, &user.user_id, &id, &fields)
            .await
            .or_internal("saving a draft")?
        {
            drop(tx);
            return match store::find_own(&st.db, &user.user_id, &id)
                .await
                .or_internal("finding an application")?
            {
                // A replayed or double-clicked Submit: it was submitted once; same answer.
                Some(_) if after == After::Submit => {
                    leptos_axum::redirect(&format!("/onboarding/submitted?id={id}"));
                    Ok(BusinessOutcome::Submitted { id })
                }
                Some(_) => Err(AppError::invalid(
                    crate::i18n::t().onboarding.business.locked,
                )),
                None => Err(AppError::not_found()),
            };
        }
        let mut logo_url = None;
        if let Some(logo) = &logo {
            let logo_id = store::set_logo(&mut tx, &user.user_id, &id, logo)
                .await
                .or_internal("storing a logo")?;
            logo_url = Some(format!("/logos/{logo_id}"));
        }
        tx.commit().await.or_internal("commit")?;

        match after {
            After::GoBack => {
                leptos_axum::redirect("/onboarding/role");
                Ok(BusinessOutcome::Saved { logo_url })
            }
            After::Submit => submit(&user, &id, &fields, &form).await,
            After::Stay => {
                if is_plain_form_post() {
                    leptos_axum::redirect("/onboarding/business?saved=1");
                }
                Ok(BusinessOutcome::Saved { logo_url })
            }
        }
    }

    /// Normalises a phone number to E.164, reading local numbers in the company's country.
    fn e164(input: &str, country: Option<CountryCode>) -> Result<String, String> {
        let shape = PhoneNumberInput::parse(input).map_err(|e| e.message())?;
        let region = country.and_then(|c| c.code().parse::<phonenumber::country::Id>().ok());
        let hint = crate::i18n::t().onboarding.business.phone_not_in_plan;
        let number = phonenumber::parse(region, shape.as_str()).map_err(|_| hint.to_string())?;
        if !phonenumber::is_valid(&number) {
            return Err(hint.into());
        }
        Ok(number.format().mode(phonenumber::Mode::E164).to_string())
    }

    async fn submit(
        user: &crate::server::sessions::SessionUser,
        id: &str,
        f: &BusinessFields,
        form: &Form,
    ) -> Result<BusinessOutcome, AppError> {
        let t = &crate::i18n::t().onboarding.business;
        let mut errors = FieldErrors::default();
        let company = errors.check("company_name", CompanyName::parse(&f.company_name));
        let address = errors.check(
            "business_address",
            BusinessAddress::parse(&f.business_address),
        );
        // A name typed in any of the portal's languages is its code.
        let typed_country = crate::server::countries::code_of(&f.country).unwrap_or(&f.country);
        let country = errors.check("country", CountryCode::parse(typed_country));
        let representative =
            errors.check("representative", Representative::parse(&f.representative));
        let optional = |v: &str, parse: &dyn Fn(&str) -> Result<String, String>| {
            if v.trim().is_empty() {
                Ok(String::new())
            } else {
                parse(v)
            }
        };
        let website = errors.check(
            "website",
            optional(&f.website, &|v| {
                Website::parse(v)
                    .map(|w| w.as_str().to_string())
                    .map_err(|e| e.message())
            }),
        );
        let phone = errors.check(
            "service_phone",
            optional(&f.service_phone, &|v| e164(v, country)),
        );
        let email = errors.check(
            "service_email",
            optional(&f.service_email, &|v| {
                Email::parse(v)
                    .map(|e| e.to_string())
                    .map_err(|e| e.message())
            }),
        );
        if form.get("agree_terms").is_empty() {
            errors.add("agree_terms", t.agree_terms);
        }
        if form.get("agree_privacy").is_empty() {
            errors.add("agree_privacy", t.agree_privacy);
        }
        errors.into_result()?;
        let normalised = BusinessFields {
            company_name: company.unwrap().as_str().to_string(),
            business_address: address.unwrap().as_str().to_string(),
            country: country.unwrap().code().to_string(),
            representative: representative.unwrap().as_str().to_string(),
            website: website.unwrap(),
            service_phone: phone.unwrap(),
            service_email: email.unwrap(),
        };

        let st = state()?;
        let mut tx = st.db.begin_write().await.or_internal("begin")?;
        match store::submit(&mut tx, &user.user_id, id, &normalised)
            .await
            .or_internal("submitting")?
        {
            Submitted::Now { company_name } => {
                let (ip, ua) = (client_ip(), user_agent());
                let lang = crate::i18n::lang();
                for (doc, version) in [
                    ("terms", terms_version(lang)),
                    ("privacy", privacy_version(lang)),
                ] {
                    crate::accounts::record_acceptance(
                        &mut tx,
                        &user.user_id,
                        doc,
                        version,
                        lang,
                        &ip,
                        &ua,
                    )
                    .await
                    .or_internal("recording an acceptance")?;
                }
                enqueue(
                    &mut tx,
                    crate::server::mail::templates::application_received(
                        user.lang,
                        &user.email,
                        &user.username,
                        &company_name,
                        id,
                        &st.config.public_url,
                    ),
                )
                .await
                .or_internal("queueing mail")?;
                tx.commit().await.or_internal("commit")?;
                st.mail_ready.notify_one();
                st.feed.wake();
                tracing::info!(application = %id, "application submitted");
            }
            Submitted::Already => {}
            Submitted::NotFound => return Err(AppError::not_found()),
        }
        leptos_axum::redirect(&format!("/onboarding/submitted?id={id}"));
        Ok(BusinessOutcome::Submitted { id: id.to_string() })
    }
}

/// Posts the form to the server function at `path` (a button's `formaction`), as the browser
/// does without JavaScript; anything else saves the draft.
async fn post_to(path: String, data: MultipartData) -> Result<BusinessOutcome, AppError> {
    if path == SUBMIT_PATH {
        submit_business(data).await
    } else if path == GO_BACK_PATH {
        save_business_and_go_back(data).await
    } else {
        save_business_draft(data).await
    }
}

#[component]
pub fn BusinessPage() -> impl IntoView {
    let t = crate::i18n::t();
    view! {
        <Title text=t.onboarding.business.title/>
        <BusinessLoader/>
    }
}

/// Every country and region to choose from, by name: first in the reader's language, then in
/// each other (so either is found as it is typed; the server takes a name in any).
#[server(endpoint = "onboarding/countries")]
pub async fn country_choices() -> Result<Vec<String>, AppError> {
    Ok(crate::server::countries::choices(crate::i18n::lang()).to_vec())
}

#[component]
fn BusinessLoader() -> impl IntoView {
    let t = crate::i18n::t();
    let draft = Resource::new(|| (), |_| my_draft());
    let countries = Resource::new(|| (), |_| country_choices());
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let countries = countries.await.unwrap_or_default();
                match draft.await {
                    Ok(Some(app)) => EitherOf3::A(view! { <BusinessForm app countries/> }),
                    // No draft yet: a role comes first.
                    Ok(None) => EitherOf3::B(view! { <Redirect path="/onboarding/role"/> }),
                    Err(e) => EitherOf3::C(view! { <ErrorView error=e heading=t.onboarding.business.heading/> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn BusinessForm(app: ApplicationView, countries: Vec<String>) -> impl IntoView {
    let o = &crate::i18n::t().onboarding;
    let t = &o.business;
    let labels = {
        let b = &crate::i18n::t().onboarding.business;
        vec![
            ("company_name", b.company_name),
            ("business_address", b.business_address),
            ("country", b.country),
            ("representative", b.representative),
            ("logo", b.logo),
            ("website", b.website),
            ("service_phone", b.service_phone),
            ("service_email", b.service_email),
            ("agree_terms", b.terms),
            ("agree_privacy", b.privacy),
        ]
    };
    let (applying_before, applying_after) = crate::i18n::around(t.applying_as, "role");
    let query = leptos_router::hooks::use_query_map();
    // Without JavaScript an error comes back in the address, from whichever button posted.
    let from_url = {
        let each = [SAVE_PATH, SUBMIT_PATH, GO_BACK_PATH].map(url_error);
        Signal::derive(move || each.iter().find_map(|e| e.get()))
    };
    // A button's post: the path it names (its `formaction`) and the form.
    let save = Action::new_local(
        |(to, data): &(String, send_wrapper::SendWrapper<web_sys::FormData>)| {
            post_to(to.clone(), data.clone().take().into())
        },
    );
    let autosave = Action::new_local(|data: &send_wrapper::SendWrapper<web_sys::FormData>| {
        save_business_draft(data.clone().take().into())
    });
    // The answer to a button (the error summary's), and what the fields show: that, or the
    // autosave's refusal of a logo until a button is used.
    let answer = Signal::derive(move || match save.value().get() {
        Some(Err(e)) => Some(e),
        Some(Ok(_)) => None,
        None => from_url.get(),
    });
    let error = Signal::derive(move || {
        match (save.value().with(Option::is_none), autosave.value().get()) {
            (true, Some(Err(e))) if e.field_message("logo").is_some() => Some(e),
            _ => answer.get(),
        }
    });
    let field = move |name: &'static str| {
        Signal::derive(move || error.get().and_then(|e| e.field_message(name)))
    };
    let logo_url = RwSignal::new(app.logo_url.clone());
    Effect::new(move |_| {
        for v in [save.value().get(), autosave.value().get()] {
            if let Some(Ok(BusinessOutcome::Saved { logo_url: Some(u) })) = v {
                logo_url.set(Some(u));
            }
        }
    });
    let preview = RwSignal::new(None::<String>);
    let status = Signal::derive(move || {
        if save.pending().get() || autosave.pending().get() {
            Some(t.saving)
        } else if autosave.value().with(|v| matches!(v, Some(Ok(_))))
            || save
                .value()
                .with(|v| matches!(v, Some(Ok(BusinessOutcome::Saved { .. }))))
            || query.with(|q| q.get("saved").is_some())
        {
            Some(t.saved)
        } else {
            None
        }
    });
    let form_ref = NodeRef::<leptos::html::Form>::new();

    // With JavaScript: the same multipart post, sent by fetch, so errors show in place.
    let on_submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let _ = (&ev, form_ref, save);
        #[cfg(feature = "hydrate")]
        {
            let Some(form) = form_ref.get() else { return };
            let Ok(data) = web_sys::FormData::new_with_form(&form) else {
                return;
            };
            // Where the clicked button posts without JavaScript; the hidden default button
            // (Enter) names none and saves.
            let to = ev
                .submitter()
                .and_then(|b| b.get_attribute("formaction"))
                .unwrap_or_default();
            save.dispatch_local((to, send_wrapper::SendWrapper::new(data)));
        }
    };
    // With JavaScript: the draft is saved whenever a field changes; a chosen logo is checked
    // and previewed at once.
    let on_change = move |ev: web_sys::Event| {
        let _ = (&ev, form_ref, autosave, preview);
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(form) = form_ref.get() else { return };
            if let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                if input.type_() == "checkbox" {
                    return;
                }
                if input.type_() == "file" {
                    let url = input
                        .files()
                        .and_then(|f| f.get(0))
                        .and_then(|f| web_sys::Url::create_object_url_with_blob(&f).ok());
                    preview.set(url);
                }
            }
            let Ok(data) = web_sys::FormData::new_with_form(&form) else {
                return;
            };
            autosave.dispatch_local(send_wrapper::SendWrapper::new(data));
        }
    };

    let f = app.fields.clone();
    // Named by the server in the reader's language (the text as typed, if it is no country).
    let initial_country = app.country_name.clone();
    let text = |v: String| Signal::derive(move || v.clone());
    // The domain's code, worded here where it is shown.
    let check = |parse: fn(&str) -> Option<Invalid>| {
        Callback::new(move |v: String| parse(&v).map(|e| e.message()))
    };
    let optional = |parse: fn(&str) -> Option<Invalid>| {
        Callback::new(move |v: String| {
            if v.trim().is_empty() {
                None
            } else {
                parse(&v).map(|e| e.message())
            }
        })
    };
    let shown_logo = Signal::derive(move || preview.get().or_else(|| logo_url.get()));

    view! {
        <section class="panel wizard">
            <Steps current=2/>
            <h1>{t.heading}</h1>
            <p class="muted">{applying_before} <strong>{app.role.label()}</strong> {applying_after}</p>
            {app.rejection_reason.clone().map(|reason| view! {
                <div class="alert alert--error" role="status">
                    <p><strong>{t.rejected}</strong> {o.reason_label} {reason}</p>
                    <p>{t.rejected_next}</p>
                </div>
            })}
            <ErrorSummary error=answer labels/>
            <form
                method="post"
                action=SAVE_PATH
                enctype="multipart/form-data"
                node_ref=form_ref
                on:submit=on_submit
                on:change=on_change
                novalidate=true
            >
                <input type="hidden" name="application_id" value=app.id.clone()/>
                // Pressing Enter saves the draft; Submit is always a deliberate click.
                <button type="submit" class="visually-hidden" tabindex="-1" aria-hidden="true">{t.save_draft}</button>
                <Field label=t.company_name name="company_name" autocomplete="organization"
                    help=t.company_name_help
                    initial=text(f.company_name.clone()) server_error=field("company_name")
                    check=check(|v| CompanyName::parse(v).err())/>
                <Field label=t.business_address name="business_address" autocomplete="street-address"
                    help=t.business_address_help
                    initial=text(f.business_address.clone()) server_error=field("business_address")
                    check=check(|v| BusinessAddress::parse(v).err())/>
                <div class="field" class:field--invalid=move || field("country").get().is_some()>
                    <label for="country" class="field__label">{t.country}</label>
                    <input id="country" name="country" list="country-list" autocomplete="country-name"
                        value=initial_country aria-describedby="country-help country-error"
                        aria-invalid=move || field("country").get().is_some().then_some("true")/>
                    <datalist id="country-list">
                        {countries.into_iter().map(|name| view! { <option value=name></option> }).collect_view()}
                    </datalist>
                    <p id="country-help" class="field__help">{t.country_help}</p>
                    <ErrorLine id="country-error" error=field("country")/>
                </div>
                <Field label=t.representative name="representative" autocomplete="name"
                    help=t.representative_help
                    initial=text(f.representative.clone()) server_error=field("representative")
                    check=check(|v| Representative::parse(v).err())/>

                <div class="field logo-field" class:field--invalid=move || field("logo").get().is_some()>
                    <label for="logo" class="field__label">{t.logo_optional}</label>
                    <div class="logo-field__row">
                        <div class="logo-preview" aria-hidden="true">
                            {move || match shown_logo.get() {
                                Some(src) => Either::Left(view! { <img src=src alt="" width="64" height="64"/> }),
                                None => Either::Right(view! { <span>{t.logo_placeholder}</span> }),
                            }}
                        </div>
                        <input id="logo" name="logo" type="file" accept="image/png,image/jpeg"
                            aria-describedby="logo-help logo-error"
                            aria-invalid=move || field("logo").get().is_some().then_some("true")/>
                    </div>
                    <p id="logo-help" class="field__help">{logo_rules::summary()}
                        {move || logo_url.get().map(|_| t.logo_uploaded)}</p>
                    <ErrorLine id="logo-error" error=field("logo")/>
                </div>
                <Field label=t.website_optional name="website" autocomplete="url"
                    help=t.website_help
                    initial=text(f.website.clone()) server_error=field("website")
                    check=optional(|v| Website::parse(v).err())/>
                <Field label=t.service_phone_optional name="service_phone" input_type="tel" autocomplete="tel"
                    help=t.service_phone_help
                    initial=text(f.service_phone.clone()) server_error=field("service_phone")
                    check=optional(|v| PhoneNumberInput::parse(v).err())/>
                <Field label=t.service_email_optional name="service_email" input_type="email" autocomplete="email"
                    help=t.service_email_help
                    initial=text(f.service_email.clone()) server_error=field("service_email")
                    check=optional(|v| Email::parse(v).err())/>

                <Agreement name="agree_terms" href="/terms" document=t.terms error=field("agree_terms")/>
                <Agreement name="agree_privacy" href="/privacy" document=t.privacy error=field("agree_privacy")/>

                <p class="wizard__status" role="status" aria-live="polite">{move || status.get()}</p>
                <div class="wizard__actions">
                    <button type="submit" formaction=GO_BACK_PATH class="btn btn--ghost" formnovalidate=true>{t.previous}</button>
                    <button type="submit" formaction=SAVE_PATH class="btn btn--secondary">{t.save_draft}</button>
                    <button type="submit" formaction=SUBMIT_PATH class="btn btn--primary"
                        disabled=move || save.pending().get()
                        aria-busy=move || save.pending().get().then_some("true")>
                        {move || if save.pending().get() { t.submitting } else { t.submit }}
                    </button>
                </div>
            </form>
        </section>
    }
}
