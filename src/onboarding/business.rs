//! Business information (seed Step 2.2): the form, its draft kept on the server as the
//! applicant goes, the logo upload, and Submit. One multipart form, so that everything,
//! the logo included, works with JavaScript off; each of its buttons posts to a server function
//! of its own (`formaction`), and all of them read the form the same way. With JavaScript the
//! page also autosaves: only the text fields that changed, and a chosen logo once, on its own,
//! as it is chosen (the buttons then leave it out).

use super::my_draft;
use super::steps::Steps;
use crate::applications::{ApplicationView, RequestedChanges};
#[cfg(feature = "ssr")]
use crate::domain::CountryCode;
use crate::domain::{
    BusinessAddress, BusinessField, CompanyName, Email, Invalid, PhoneNumberInput, Representative,
    Website,
};
use crate::error::AppError;
use crate::ui::form::{url_error, Agreement, ErrorLine, ErrorSummary, Field, FieldRequest};
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
use std::collections::HashMap;

/// Where each button of the form posts.
const SAVE_PATH: &str = <SaveBusinessDraft as ServerFn>::PATH;
const SUBMIT_PATH: &str = <SubmitBusiness as ServerFn>::PATH;
const GO_BACK_PATH: &str = <SaveBusinessAndGoBack as ServerFn>::PATH;
/// Where the page's autosave posts (no button does).
#[cfg(feature = "ssr")]
const AUTOSAVE_PATH: &str = <AutosaveBusiness as ServerFn>::PATH;

/// The text fields a draft keeps, each with the most characters it keeps (the full rules
/// apply on Submit). The buttons save all of them, the autosave those it sends; the page
/// compares them to know what changed.
const DRAFT_FIELDS: [(&str, usize); 7] = [
    ("company_name", 300),
    ("business_address", 600),
    ("country", 100),
    ("representative", 300),
    ("website", 400),
    ("service_phone", 60),
    ("service_email", 300),
];

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

/// Saves the draft: the Save draft button and Enter in a field. The whole form: a text field
/// left out is saved empty.
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

/// The page's autosave (JavaScript on): saves only the text fields it sends and leaves the others
/// as stored (one sent empty is cleared), and stores a logo only when one comes, which is once,
/// as it is chosen.
#[server(input = MultipartFormData, endpoint = "onboarding/autosave_business")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(
        skip_all,
        fields(user = tracing::field::Empty, application = tracing::field::Empty)
    )
)]
pub async fn autosave_business(data: MultipartData) -> Result<BusinessOutcome, AppError> {
    ssr::autosave(data).await
}

/// The form's endpoints for the body-limit middleware: each takes a logo and room for the text
/// fields beside it, and a larger body is refused as a logo over the limit.
#[cfg(feature = "ssr")]
pub fn uploads() -> Vec<crate::server::http::body_limit::Upload> {
    use crate::server::http::body_limit::Upload;
    const TEXT_ROOM: usize = 32 * 1024;
    [SAVE_PATH, SUBMIT_PATH, GO_BACK_PATH, AUTOSAVE_PATH]
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
    use crate::applications::store::{self, ChangedFields, Submitted};
    use crate::applications::BusinessFields;
    use crate::error::FieldErrors;
    use crate::onboarding::logo::{self, Logo};
    use crate::server::db::WriteTx;
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
                        too_long(&name)
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

    /// A text part over the limit; a field of the form is named, so the form shows it there.
    fn too_long(name: &str) -> AppError {
        let message = crate::i18n::t().onboarding.business.field_too_long;
        let error = AppError::invalid(message);
        if DRAFT_FIELDS.iter().any(|(field, _)| *field == name) {
            error.with_field(name, message)
        } else {
            error
        }
    }

    /// What a draft keeps of the text field `name` as it was sent (`None`: it was not). The
    /// full save and the autosave keep the same; the full rules apply on Submit.
    fn kept(form: &Form, name: &str) -> Option<String> {
        let max = DRAFT_FIELDS
            .iter()
            .find(|(field, _)| *field == name)
            .map(|(_, max)| *max)?;
        form.text.get(name).map(|v| v.chars().take(max).collect())
    }

    /// The whole form (the buttons): a field left out is saved empty.
    fn draft_fields(form: &Form) -> BusinessFields {
        let all = |name: &str| kept(form, name).unwrap_or_default();
        BusinessFields {
            company_name: all("company_name"),
            business_address: all("business_address"),
            country: all("country"),
            representative: all("representative"),
            website: all("website"),
            service_phone: all("service_phone"),
            service_email: all("service_email"),
        }
    }

    /// The fields an autosave sent; the others stay as stored.
    fn changed_fields(form: &Form) -> ChangedFields {
        ChangedFields {
            company_name: kept(form, "company_name"),
            business_address: kept(form, "business_address"),
            country: kept(form, "country"),
            representative: kept(form, "representative"),
            website: kept(form, "website"),
            service_phone: kept(form, "service_phone"),
            service_email: kept(form, "service_email"),
        }
    }

    /// The application the form is for. The form always carries it (a hidden input): without
    /// it the request is broken.
    fn application_id(form: &Form) -> Result<String, AppError> {
        let id = form
            .text
            .get("application_id")
            .cloned()
            .ok_or_else(AppError::malformed)?;
        tracing::Span::current().record("application", id.as_str());
        Ok(id)
    }

    /// The logo that came with the form, checked and re-encoded before anything is written.
    async fn checked_logo(sent: Option<(String, Vec<u8>)>) -> Result<Option<Logo>, AppError> {
        let Some((name, bytes)) = sent else {
            return Ok(None);
        };
        logo::check_file_name(&name)?;
        Ok(Some(logo::process_queued(bytes).await?))
    }

    /// Stores the checked logo in the transaction that saved the draft; its address.
    async fn store_logo(
        tx: &mut WriteTx,
        user_id: &str,
        id: &str,
        logo: Option<&Logo>,
    ) -> Result<Option<String>, AppError> {
        let Some(logo) = logo else {
            return Ok(None);
        };
        let logo_id = store::set_logo(tx, user_id, id, logo)
            .await
            .or_internal("storing a logo")?;
        Ok(Some(format!("/logos/{logo_id}")))
    }

    /// The answer when the draft was not saved: it is no longer editable, or not the user's.
    async fn not_saved(
        user_id: &str,
        id: String,
        after: After,
    ) -> Result<BusinessOutcome, AppError> {
        let st = state()?;
        match store::find_own(&st.db, user_id, &id)
            .await
            .or_internal("finding an application")?
        {
            // Rejected: closed for good, whatever the button.
            Some(a) if a.status == crate::domain::Status::Rejected => Err(AppError::conflict(
                crate::i18n::t().onboarding.business.closed,
            )),
            // A replayed or double-clicked Submit: it was submitted once; same answer.
            Some(_) if after == After::Submit => {
                leptos_axum::redirect(&format!("/onboarding/submitted?id={id}"));
                Ok(BusinessOutcome::Submitted { id })
            }
            Some(_) => Err(AppError::invalid(
                crate::i18n::t().onboarding.business.locked,
            )),
            None => Err(AppError::not_found()),
        }
    }

    /// The autosave: the text fields it sent and the logo if one came, in one transaction
    /// whose first statement is the draft's check; nothing is written when a part is refused.
    pub async fn autosave(data: MultipartData) -> Result<BusinessOutcome, AppError> {
        // Read first: the answer comes after the whole request (see `read`).
        let form = read(data).await;
        let user = crate::accounts::require_user().await?;
        let mut form = form?;
        let id = application_id(&form)?;
        let changed = changed_fields(&form);
        let logo = checked_logo(form.logo.take()).await?;

        let st = state()?;
        let mut tx = st.db.begin_write().await.or_internal("begin")?;
        if !store::save_changed_fields(&mut tx, &user.user_id, &id, &changed)
            .await
            .or_internal("saving a draft")?
        {
            drop(tx);
            return not_saved(&user.user_id, id, After::Stay).await;
        }
        let logo_url = store_logo(&mut tx, &user.user_id, &id, logo.as_ref()).await?;
        tx.commit().await.or_internal("commit")?;
        Ok(BusinessOutcome::Saved { logo_url })
    }

    /// Every answer, with its HTTP status for fetch clients.
    pub async fn save(data: MultipartData, after: After) -> Result<BusinessOutcome, AppError> {
        save_then(data, after).await
    }

    async fn save_then(data: MultipartData, after: After) -> Result<BusinessOutcome, AppError> {
        // Read first: the answer comes after the whole request (see `read`).
        let form = read(data).await;
        let user = crate::accounts::require_user().await?;
        let mut form = form?;
        let id = application_id(&form)?;
        let fields = draft_fields(&form);
        let logo = checked_logo(form.logo.take()).await?;

        let st = state()?;
        let mut tx = st.db.begin_write().await.or_internal("begin")?;
        if !store::save_draft(&mut tx, &user.user_id, &id, &fields)
            .await
            .or_internal("saving a draft")?
        {
            drop(tx);
            return not_saved(&user.user_id, id, after).await;
        }
        let logo_url = store_logo(&mut tx, &user.user_id, &id, logo.as_ref()).await?;
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

/// A post of the form from the page: the form data, and what to remember once it succeeded.
#[derive(Clone)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
struct FormPost {
    data: send_wrapper::SendWrapper<web_sys::FormData>,
    /// The text fields it carries, with their values.
    fields: Vec<(&'static str, String)>,
    /// The choice of logo it carries (see `logo_choice`), if it carries one.
    logo: Option<u32>,
}

impl FormPost {
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn new(
        data: web_sys::FormData,
        fields: Vec<(&'static str, String)>,
        logo: Option<u32>,
    ) -> Self {
        Self {
            data: send_wrapper::SendWrapper::new(data),
            fields,
            logo,
        }
    }
}

/// What the server has of the form, as far as the page knows: each text field's value (as
/// rendered, then as each successful post carried it) and which choice of logo it stored. The
/// autosave sends what differs from it; a failed post leaves it as it was, so what that post
/// carried is sent again with the next.
#[derive(Clone, Copy)]
struct ServerCopy {
    fields: StoredValue<HashMap<&'static str, String>>,
    logo: StoredValue<Option<u32>>,
}

impl ServerCopy {
    fn new(app: &ApplicationView) -> Self {
        let f = &app.fields;
        let fields = HashMap::from([
            ("company_name", f.company_name.clone()),
            ("business_address", f.business_address.clone()),
            // The field shows the country by name (see `BusinessForm`).
            ("country", app.country_name.clone()),
            ("representative", f.representative.clone()),
            ("website", f.website.clone()),
            ("service_phone", f.service_phone.clone()),
            ("service_email", f.service_email.clone()),
        ]);
        Self {
            fields: StoredValue::new(fields),
            logo: StoredValue::new(None),
        }
    }

    /// The server has what `post` carried.
    fn remember(self, post: &FormPost) {
        self.fields
            .update_value(|known| known.extend(post.fields.iter().cloned()));
        if post.logo.is_some() {
            self.logo.set_value(post.logo);
        }
    }

    /// Of `values`, those the server does not have.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn changed(self, values: Vec<(&'static str, String)>) -> Vec<(&'static str, String)> {
        self.fields.with_value(|known| {
            values
                .into_iter()
                .filter(|(name, value)| known.get(name) != Some(value))
                .collect()
        })
    }

    /// The server stored the logo of this `choice` already.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn has_logo(self, choice: u32) -> bool {
        self.logo.get_value() == Some(choice)
    }
}

/// Autosaves `post`, and remembers what the server has once it succeeded.
async fn autosave_post(post: FormPost, known: ServerCopy) -> Result<BusinessOutcome, AppError> {
    let result = autosave_business(post.data.clone().take().into()).await;
    if result.is_ok() {
        known.remember(&post);
    }
    result
}

/// Makes `send` go one at a time: called while `busy`, it runs once that is over instead (once
/// for any number of calls meanwhile: it sends what there is then).
fn one_at_a_time(busy: Memo<bool>, send: impl Fn() + Copy + 'static) -> impl Fn() + Copy + 'static {
    let waiting = StoredValue::new(false);
    Effect::new(move |_| {
        if !busy.get() && waiting.get_value() {
            waiting.set_value(false);
            send();
        }
    });
    move || {
        if busy.get_untracked() {
            waiting.set_value(true);
        } else {
            send();
        }
    }
}

/// The text fields of the form as `data` has them.
#[cfg(feature = "hydrate")]
fn text_values(data: &web_sys::FormData) -> Vec<(&'static str, String)> {
    DRAFT_FIELDS
        .iter()
        .filter_map(|(name, _)| data.get(name).as_string().map(|v| (*name, v)))
        .collect()
}

/// The file chosen in the logo field of `data`, if one is.
#[cfg(feature = "hydrate")]
fn chosen_logo(data: &web_sys::FormData) -> Option<web_sys::File> {
    use wasm_bindgen::JsCast;
    data.get("logo")
        .dyn_into::<web_sys::File>()
        .ok()
        .filter(|f| !f.name().is_empty() || f.size() > 0.0)
}

/// A post of the application (from `all`, the whole form) and `fields` only.
#[cfg(feature = "hydrate")]
fn fields_only(
    all: &web_sys::FormData,
    fields: &[(&'static str, String)],
) -> Option<web_sys::FormData> {
    let data = web_sys::FormData::new().ok()?;
    let id = all.get("application_id").as_string()?;
    data.append_with_str("application_id", &id).ok()?;
    for (name, value) in fields {
        data.append_with_str(name, value).ok()?;
    }
    Some(data)
}

/// A post of the application (from `all`, the whole form) and the logo `file` only.
#[cfg(feature = "hydrate")]
fn logo_only(all: &web_sys::FormData, file: &web_sys::File) -> Option<web_sys::FormData> {
    let data = fields_only(all, &[])?;
    data.append_with_blob_and_filename("logo", file, &file.name())
        .ok()?;
    Some(data)
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
    // What the server has, as far as the page knows: the values it was rendered with.
    let known = ServerCopy::new(&app);
    // Each choice of a file in the logo field is numbered; `known.logo` is the one stored.
    let logo_choice = StoredValue::new(0u32);
    // A button's post: the path it names (its `formaction`) and the form.
    let save = Action::new_local(move |(to, post): &(String, FormPost)| {
        let (to, post) = (to.clone(), post.clone());
        async move {
            let result = post_to(to, post.data.clone().take().into()).await;
            if result.is_ok() {
                known.remember(&post);
            }
            result
        }
    });
    // The page's own posts: the text fields that changed, and a chosen logo on its own.
    let autosave = Action::new_local(move |post: &FormPost| autosave_post(post.clone(), known));
    let upload = Action::new_local(move |post: &FormPost| autosave_post(post.clone(), known));
    let autosaving = autosave.pending();
    let uploading = upload.pending();
    // The answer to a button (the error summary's), and what the fields show: that, or the
    // refusal of a chosen logo until a button is used.
    let answer = Signal::derive(move || match save.value().get() {
        Some(Err(e)) => Some(e),
        Some(Ok(_)) => None,
        None => from_url.get(),
    });
    let error = Signal::derive(move || {
        let refused = upload.value().get().and_then(Result::err);
        match (save.value().with(Option::is_none), refused) {
            (true, Some(e)) if e.field_message("logo").is_some() => Some(e),
            _ => answer.get(),
        }
    });
    let field = move |name: &'static str| {
        Signal::derive(move || error.get().and_then(|e| e.field_message(name)))
    };
    let logo_url = RwSignal::new(app.logo_url.clone());
    Effect::new(move |_| {
        for v in [save.value().get(), upload.value().get()] {
            if let Some(Ok(BusinessOutcome::Saved { logo_url: Some(u) })) = v {
                logo_url.set(Some(u));
            }
        }
    });
    let preview = RwSignal::new(None::<String>);
    // Whether the latest post of the text fields reached the server: a failed autosave says
    // so (its fields go again with the next change, or with Save draft), instead of an older
    // success still reading "Draft saved.". A refused logo is told under its field.
    let last_saved = RwSignal::new(None::<bool>);
    Effect::new(move |_| {
        if let Some(r) = autosave.value().get() {
            last_saved.set(Some(r.is_ok()));
        }
    });
    Effect::new(move |_| {
        if let Some(r) = save.value().get() {
            last_saved.set(Some(r.is_ok()));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = upload.value().get() {
            last_saved.update(|s| *s = Some(s.unwrap_or(true)));
        }
    });
    let status = Signal::derive(move || {
        if save.pending().get() || autosaving.get() || uploading.get() {
            Some(t.saving)
        } else {
            match last_saved.get() {
                Some(false) => Some(t.not_saved),
                Some(true) => Some(t.saved),
                None => query.with(|q| q.get("saved").is_some()).then_some(t.saved),
            }
        }
    });
    let form_ref = NodeRef::<leptos::html::Form>::new();
    // A button's post waiting for the page's own posts in flight (see `on_submit`).
    let button_post = StoredValue::new(None::<(String, FormPost)>);

    // With JavaScript: the same multipart post, sent by fetch, so errors show in place; a logo
    // the page has uploaded already is left out.
    let on_submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let _ = (&ev, form_ref, save, known, logo_choice, button_post);
        #[cfg(feature = "hydrate")]
        {
            let Some(form) = form_ref.get() else { return };
            let Ok(data) = web_sys::FormData::new_with_form(&form) else {
                return;
            };
            let choice = logo_choice.get_value();
            let logo = if known.has_logo(choice) {
                data.delete("logo");
                None
            } else {
                chosen_logo(&data).map(|_| choice)
            };
            // Where the clicked button posts without JavaScript; the hidden default button
            // (Enter) names none and saves.
            let to = ev
                .submitter()
                .and_then(|b| b.get_attribute("formaction"))
                .unwrap_or_default();
            let fields = text_values(&data);
            let post = (to, FormPost::new(data, fields, logo));
            // After any autosave or upload in flight, never before: an older autosave landing
            // after this post would put back what it carried.
            if autosaving.get_untracked() || uploading.get_untracked() {
                button_post.set_value(Some(post));
            } else {
                save.dispatch_local(post);
            }
        }
    };
    Effect::new(move |_| {
        if !autosaving.get() && !uploading.get() {
            if let Some(post) = button_post.try_update_value(Option::take).flatten() {
                save.dispatch_local(post);
            }
        }
    });
    // The text fields that differ from what the server has, one autosave at a time, so that
    // an older one never lands after a newer one; a change made meanwhile goes right after.
    let send_changes = one_at_a_time(autosaving, move || {
        let _ = (form_ref, known, autosave);
        #[cfg(feature = "hydrate")]
        {
            let Some(form) = form_ref.get_untracked() else {
                return;
            };
            let Ok(all) = web_sys::FormData::new_with_form(&form) else {
                return;
            };
            let changed = known.changed(text_values(&all));
            if changed.is_empty() {
                return;
            }
            if let Some(data) = fields_only(&all, &changed) {
                autosave.dispatch_local(FormPost::new(data, changed, None));
            }
        }
    });
    // The chosen logo on its own, once: the latest choice last.
    let send_logo = one_at_a_time(uploading, move || {
        let _ = (form_ref, known, upload, logo_choice);
        #[cfg(feature = "hydrate")]
        {
            let choice = logo_choice.get_value();
            if known.has_logo(choice) {
                return;
            }
            let Some(form) = form_ref.get_untracked() else {
                return;
            };
            let Ok(all) = web_sys::FormData::new_with_form(&form) else {
                return;
            };
            let Some(file) = chosen_logo(&all) else {
                return;
            };
            if let Some(data) = logo_only(&all, &file) {
                upload.dispatch_local(FormPost::new(data, Vec::new(), Some(choice)));
            }
        }
    });
    // With JavaScript: the draft is saved whenever a field changes; a chosen logo is previewed,
    // then checked and stored at once.
    let on_change = move |ev: web_sys::Event| {
        let _ = (&ev, send_changes, send_logo, preview, logo_choice);
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let input = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
            match input {
                // The agreements are given on Submit; a draft does not keep them.
                Some(input) if input.type_() == "checkbox" => {}
                Some(input) if input.type_() == "file" => {
                    logo_choice.update_value(|n| *n = n.wrapping_add(1));
                    let url = input
                        .files()
                        .and_then(|f| f.get(0))
                        .and_then(|f| web_sys::Url::create_object_url_with_blob(&f).ok());
                    preview.set(url);
                    send_logo();
                }
                _ => send_changes(),
            }
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
    // While changes are requested: the reviewer's note on a field, shown beside it.
    let request = StoredValue::new(app.requested_changes.clone());
    let asked = move |field: BusinessField| {
        request.with_value(|r| {
            r.as_ref()
                .and_then(|r| r.note_on(field))
                .map(str::to_string)
        })
    };
    // A field's description: its note first when it has one.
    let described = move |name: &str, rest: &str| match asked(BusinessField::parse(name)?) {
        Some(_) => Some(format!("{name}-request {rest}")),
        None => Some(rest.to_string()),
    };

    view! {
        <section class="panel wizard">
            <Steps current=2/>
            <h1>{t.heading}</h1>
            <p class="muted">{applying_before} <strong>{app.role.label()}</strong> {applying_after}</p>
            {app.requested_changes.clone().map(|request| view! {
                <div class="alert alert--warning requested-changes" role="status">
                    <p><strong>{t.changes_requested}</strong> " " {t.changes_requested_next}</p>
                    <RequestedChanges request link=true/>
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
                    request=asked(BusinessField::CompanyName)
                    check=check(|v| CompanyName::parse(v).err())/>
                <Field label=t.business_address name="business_address" autocomplete="street-address"
                    help=t.business_address_help
                    initial=text(f.business_address.clone()) server_error=field("business_address")
                    request=asked(BusinessField::BusinessAddress)
                    check=check(|v| BusinessAddress::parse(v).err())/>
                <div class="field" class:field--invalid=move || field("country").get().is_some()
                    class:field--requested=asked(BusinessField::Country).is_some()>
                    <label for="country" class="field__label">{t.country}</label>
                    <FieldRequest id="country-request" note=asked(BusinessField::Country)/>
                    <input id="country" name="country" list="country-list" autocomplete="country-name"
                        value=initial_country aria-describedby=described("country", "country-help country-error")
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
                    request=asked(BusinessField::Representative)
                    check=check(|v| Representative::parse(v).err())/>

                <div class="field logo-field" class:field--invalid=move || field("logo").get().is_some()
                    class:field--requested=asked(BusinessField::Logo).is_some()>
                    <label for="logo" class="field__label">{t.logo_optional}</label>
                    <FieldRequest id="logo-request" note=asked(BusinessField::Logo)/>
                    <div class="logo-field__row">
                        <div class="logo-preview" aria-hidden="true">
                            {move || match shown_logo.get() {
                                Some(src) => Either::Left(view! { <img src=src alt="" width="64" height="64"/> }),
                                None => Either::Right(view! { <span>{t.logo_placeholder}</span> }),
                            }}
                        </div>
                        <input id="logo" name="logo" type="file" accept="image/png,image/jpeg"
                            aria-describedby=described("logo", "logo-help logo-error")
                            aria-invalid=move || field("logo").get().is_some().then_some("true")/>
                    </div>
                    <p id="logo-help" class="field__help">{logo_rules::summary()}
                        {move || logo_url.get().map(|_| t.logo_uploaded)}</p>
                    <ErrorLine id="logo-error" error=field("logo")/>
                </div>
                <Field label=t.website_optional name="website" autocomplete="url"
                    help=t.website_help
                    initial=text(f.website.clone()) server_error=field("website")
                    request=asked(BusinessField::Website)
                    check=optional(|v| Website::parse(v).err())/>
                <Field label=t.service_phone_optional name="service_phone" input_type="tel" autocomplete="tel"
                    help=t.service_phone_help
                    initial=text(f.service_phone.clone()) server_error=field("service_phone")
                    request=asked(BusinessField::ServicePhone)
                    check=optional(|v| PhoneNumberInput::parse(v).err())/>
                <Field label=t.service_email_optional name="service_email" input_type="email" autocomplete="email"
                    help=t.service_email_help
                    initial=text(f.service_email.clone()) server_error=field("service_email")
                    request=asked(BusinessField::ServiceEmail)
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
