//! The browser's side of passkeys: `navigator.credentials.create` / `.get` with the server's
//! options (JSON whose binary fields are base64url), and the authenticator's answer back as
//! JSON in the same encoding, for webauthn-rs to check.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Why there is no answer.
pub enum Failure {
    /// No WebAuthn in this browser.
    Unsupported,
    /// The person closed the prompt, or it timed out (`NotAllowedError`, `AbortError`).
    Cancelled,
    /// The authenticator already holds one of the account's passkeys (`InvalidStateError`).
    Registered,
    /// The page is not at the portal's address (`SecurityError`: the RP id is not its host).
    WrongAddress,
    /// The authenticator or the browser refused otherwise.
    Refused,
}

pub fn supported() -> bool {
    Reflect::has(&js_sys::global(), &JsValue::from_str("PublicKeyCredential")).unwrap_or(false)
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn set(object: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

/// A base64url string of the server's as the bytes the browser wants.
fn bytes(value: &JsValue) -> JsValue {
    let text = value.as_string().unwrap_or_default();
    let decoded = URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .unwrap_or_default();
    Uint8Array::from(decoded.as_slice()).into()
}

/// An `ArrayBuffer` of the browser's as base64url (null stays null).
fn text(buffer: &JsValue) -> JsValue {
    if buffer.is_null() || buffer.is_undefined() {
        return JsValue::NULL;
    }
    JsValue::from_str(&URL_SAFE_NO_PAD.encode(Uint8Array::new(buffer).to_vec()))
}

/// The `id` of each credential in `list` (exclude or allow) as bytes.
fn ids_as_bytes(list: &JsValue) {
    if Array::is_array(list) {
        for item in Array::from(list).iter() {
            set(&item, "id", &bytes(&get(&item, "id")));
        }
    }
}

async fn credentials(method: &str, options: &JsValue) -> Result<JsValue, Failure> {
    let container = get(&get(&js_sys::global(), "navigator"), "credentials");
    let call: Function = get(&container, method)
        .dyn_into()
        .map_err(|_| Failure::Unsupported)?;
    let promise: Promise = call
        .call1(&container, options)
        .map_err(|_| Failure::Refused)?
        .dyn_into()
        .map_err(|_| Failure::Refused)?;
    JsFuture::from(promise)
        .await
        .map_err(|e| match get(&e, "name").as_string().as_deref() {
            Some("NotAllowedError" | "AbortError") => Failure::Cancelled,
            Some("InvalidStateError") => Failure::Registered,
            Some("SecurityError") => Failure::WrongAddress,
            _ => Failure::Refused,
        })
}

/// The credential's answer as JSON: its ids, and the `fields` of its response (binary, as
/// base64url).
fn answer(credential: &JsValue, fields: &[&str]) -> String {
    let browser_response = get(credential, "response");
    let response = Object::new();
    for field in fields {
        set(&response, field, &text(&get(&browser_response, field)));
    }
    let out = Object::new();
    set(&out, "id", &get(credential, "id"));
    set(&out, "rawId", &text(&get(credential, "rawId")));
    set(&out, "type", &get(credential, "type"));
    set(&out, "response", &response);
    set(&out, "extensions", &Object::new());
    JSON::stringify(&out)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

fn parse(options: &str) -> Result<(JsValue, JsValue), Failure> {
    let options = JSON::parse(options).map_err(|_| Failure::Refused)?;
    let public_key = get(&options, "publicKey");
    set(
        &public_key,
        "challenge",
        &bytes(&get(&public_key, "challenge")),
    );
    Ok((options, public_key))
}

/// Registers a passkey with the options of `second_factor/passkey_options`.
pub async fn create(options: &str) -> Result<String, Failure> {
    let (options, public_key) = parse(options)?;
    let user = get(&public_key, "user");
    set(&user, "id", &bytes(&get(&user, "id")));
    ids_as_bytes(&get(&public_key, "excludeCredentials"));
    let credential = credentials("create", &options).await?;
    Ok(answer(
        &credential,
        &["attestationObject", "clientDataJSON"],
    ))
}

/// Answers a sign-in step's challenge (`accounts/sign_in_step/passkey_options`).
pub async fn get_assertion(options: &str) -> Result<String, Failure> {
    let (options, public_key) = parse(options)?;
    ids_as_bytes(&get(&public_key, "allowCredentials"));
    let credential = credentials("get", &options).await?;
    Ok(answer(
        &credential,
        &[
            "authenticatorData",
            "clientDataJSON",
            "signature",
            "userHandle",
        ],
    ))
}
