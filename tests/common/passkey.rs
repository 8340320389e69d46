//! A passkey for tests: a P-256 key pair (OpenSSL, as webauthn-rs itself uses) that answers
//! the portal's WebAuthn challenges as a browser with a platform authenticator would, with
//! "none" attestation and user verification. Written from the WebAuthn Level 2 layouts, not
//! from the portal's code: the authenticator data, the COSE key and the CBOR around them are
//! encoded here by hand.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::{EcGroup, EcKey};
use openssl::ecdsa::EcdsaSig;
use openssl::nid::Nid;
use openssl::pkey::Private;
use openssl::sha::sha256;
use serde_json::{json, Value};

/// CBOR (RFC 8949) of what a WebAuthn answer holds: small integers, byte and text strings,
/// maps.
pub enum Cbor {
    Int(i64),
    Bytes(Vec<u8>),
    Text(&'static str),
    Map(Vec<(Cbor, Cbor)>),
}

impl Cbor {
    fn head(out: &mut Vec<u8>, major: u8, n: u64) {
        let m = major << 5;
        match n {
            0..=23 => out.push(m | n as u8),
            24..=0xff => out.extend([m | 24, n as u8]),
            0x100..=0xffff => {
                out.push(m | 25);
                out.extend((n as u16).to_be_bytes());
            }
            _ => {
                out.push(m | 26);
                out.extend((n as u32).to_be_bytes());
            }
        }
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Cbor::Int(i) if *i >= 0 => Self::head(out, 0, *i as u64),
            Cbor::Int(i) => Self::head(out, 1, (-1 - *i) as u64),
            Cbor::Bytes(b) => {
                Self::head(out, 2, b.len() as u64);
                out.extend(b);
            }
            Cbor::Text(t) => {
                Self::head(out, 3, t.len() as u64);
                out.extend(t.as_bytes());
            }
            Cbor::Map(entries) => {
                Self::head(out, 5, entries.len() as u64);
                for (k, v) in entries {
                    k.encode(out);
                    v.encode(out);
                }
            }
        }
    }

    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
}

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

#[derive(Clone)]
pub struct SoftPasskey {
    key: EcKey<Private>,
    pub credential_id: Vec<u8>,
    counter: u32,
    /// The page's origin the browser reports (`clientDataJSON.origin`).
    pub origin: String,
    /// The RP id whose hash the authenticator signs (the origin's host, unless a test lies).
    pub rp_id: String,
    /// Whether the person was verified (fingerprint, PIN): the portal requires it.
    pub verified: bool,
}

impl SoftPasskey {
    pub fn new(origin: &str) -> Self {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        let mut credential_id = vec![0u8; 32];
        openssl::rand::rand_bytes(&mut credential_id).unwrap();
        let host = url::Url::parse(origin)
            .unwrap()
            .host_str()
            .unwrap()
            .to_string();
        Self {
            key: EcKey::generate(&group).unwrap(),
            credential_id,
            counter: 0,
            origin: origin.to_string(),
            rp_id: host,
            verified: true,
        }
    }

    /// Another key under the same credential id (a forged answer).
    pub fn impostor_of(other: &SoftPasskey) -> Self {
        let mut impostor = Self::new(&other.origin);
        impostor.credential_id = other.credential_id.clone();
        impostor
    }

    fn cose_key(&self) -> Vec<u8> {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        let mut ctx = BigNumContext::new().unwrap();
        let (mut x, mut y) = (BigNum::new().unwrap(), BigNum::new().unwrap());
        self.key
            .public_key()
            .affine_coordinates(&group, &mut x, &mut y, &mut ctx)
            .unwrap();
        Cbor::Map(vec![
            (Cbor::Int(1), Cbor::Int(2)),  // kty: EC2
            (Cbor::Int(3), Cbor::Int(-7)), // alg: ES256
            (Cbor::Int(-1), Cbor::Int(1)), // crv: P-256
            (Cbor::Int(-2), Cbor::Bytes(x.to_vec_padded(32).unwrap())),
            (Cbor::Int(-3), Cbor::Bytes(y.to_vec_padded(32).unwrap())),
        ])
        .to_vec()
    }

    fn flags(&self, attested: bool) -> u8 {
        let mut f = 0x01; // user present
        if self.verified {
            f |= 0x04;
        }
        if attested {
            f |= 0x40;
        }
        f
    }

    fn client_data(&self, kind: &str, options: &Value) -> Vec<u8> {
        let challenge = options["publicKey"]["challenge"]
            .as_str()
            .expect("a challenge");
        json!({"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": false})
            .to_string()
            .into_bytes()
    }

    /// The browser's answer (JSON) to `navigator.credentials.create` with `options`.
    pub fn register(&mut self, options: &str) -> String {
        let options: Value = serde_json::from_str(options).expect("options as JSON");
        let client_data = self.client_data("webauthn.create", &options);
        let mut auth_data = sha256(self.rp_id.as_bytes()).to_vec();
        auth_data.push(self.flags(true));
        auth_data.extend(self.counter.to_be_bytes());
        auth_data.extend([0u8; 16]); // AAGUID
        auth_data.extend((self.credential_id.len() as u16).to_be_bytes());
        auth_data.extend(&self.credential_id);
        auth_data.extend(self.cose_key());
        let attestation = Cbor::Map(vec![
            (Cbor::Text("fmt"), Cbor::Text("none")),
            (Cbor::Text("attStmt"), Cbor::Map(vec![])),
            (Cbor::Text("authData"), Cbor::Bytes(auth_data)),
        ])
        .to_vec();
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "attestationObject": b64(&attestation),
                "clientDataJSON": b64(&client_data),
            },
            "extensions": {},
        })
        .to_string()
    }

    /// The browser's answer (JSON) to `navigator.credentials.get` with `options`: signed, with
    /// the next signature counter.
    pub fn answer(&mut self, options: &str) -> String {
        let options: Value = serde_json::from_str(options).expect("options as JSON");
        let client_data = self.client_data("webauthn.get", &options);
        self.counter += 1;
        let mut auth_data = sha256(self.rp_id.as_bytes()).to_vec();
        auth_data.push(self.flags(false));
        auth_data.extend(self.counter.to_be_bytes());
        let mut signed = auth_data.clone();
        signed.extend(sha256(&client_data));
        let signature = EcdsaSig::sign(&sha256(&signed), &self.key)
            .unwrap()
            .to_der()
            .unwrap();
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJSON": b64(&client_data),
                "signature": b64(&signature),
                "userHandle": null,
            },
            "extensions": {},
        })
        .to_string()
    }
}

use super::TestApp;
use reqwest::Response;

impl TestApp {
    /// "Add a passkey", first request: the browser's options (JSON) on 200.
    pub async fn passkey_options(&self, password: &str, name: &str) -> Response {
        self.call(
            "second_factor/passkey_options",
            &[("passkey_password", password), ("passkey_name", name)],
        )
        .await
    }

    /// "Add a passkey", second request.
    pub async fn add_passkey(&self, answer: &str) -> Response {
        self.call("second_factor/passkey_add", &[("credential", answer)])
            .await
    }

    /// Adds `key` as a passkey called `name` on this signed-in client (password `password`).
    pub async fn with_passkey(&self, key: &mut SoftPasskey, password: &str, name: &str) {
        let r = self.passkey_options(password, name).await;
        assert_eq!(r.status(), 200, "options: {}", r.text().await.unwrap());
        let options: String = r.json().await.unwrap();
        let r = self.add_passkey(&key.register(&options)).await;
        assert_eq!(r.status(), 200, "add: {}", r.text().await.unwrap());
    }

    /// The code step's passkey challenge (JSON), `None` when the account has no passkey.
    pub async fn sign_in_passkey_options(&self) -> Option<String> {
        let r = self
            .call("accounts/sign_in_step/passkey_options", &[])
            .await;
        assert_eq!(
            r.status(),
            200,
            "passkey options: {}",
            r.text().await.unwrap()
        );
        r.json().await.unwrap()
    }

    pub async fn sign_in_passkey(&self, answer: &str) -> Response {
        self.call("accounts/sign_in_step/passkey", &[("credential", answer)])
            .await
    }
}
