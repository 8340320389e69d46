//! The authenticator's arithmetic (server only): RFC 6238 codes (SHA-1, six digits, 30-second
//! steps, what every authenticator app reads from a QR code), the code's step with one step of
//! clock skew either way, the `otpauth://` address and its QR code as SVG, and recovery codes.

use crate::domain::{RECOVERY_ALPHABET, RECOVERY_CODE_LEN};
use crate::server::crypto::{constant_time_eq, Secret};
use rand::{rngs::OsRng, Rng, RngCore};
use totp_rs::{Algorithm, Secret as Base32, TOTP};

pub const STEP_SECS: i64 = 30;
/// 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;
/// What seals an authenticator's secret (`Secret::seal`).
pub const SEAL_SECRET: &str = "second factor secret";
/// What seals recovery codes waiting to be saved.
pub const SEAL_RECOVERY: &str = "recovery codes to show";
/// How many recovery codes a set has.
pub const RECOVERY_CODES: usize = 10;

pub fn new_secret() -> Vec<u8> {
    let mut bytes = vec![0u8; SECRET_BYTES];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// The secret as a person types it into an app: base32, without padding.
pub fn base32(secret: &[u8]) -> String {
    match Base32::Raw(secret.to_vec()).to_encoded() {
        Base32::Encoded(s) => s,
        Base32::Raw(_) => unreachable!("to_encoded encodes"),
    }
}

/// The RFC 6238 time step of a moment (Unix milliseconds).
pub fn step_at(ms: i64) -> i64 {
    ms.div_euclid(1000 * STEP_SECS)
}

/// The code an app shows during `step`.
pub fn code_at(secret: &[u8], step: i64) -> String {
    // Skew is handled by `matching_step`, which must know which step matched.
    TOTP::new_unchecked(Algorithm::SHA1, 6, 0, STEP_SECS as u64, secret.to_vec())
        .generate((step.max(0) * STEP_SECS) as u64)
}

/// The step among the one of `now_ms` and its two neighbours (clocks drift) whose code is
/// `code`, the latest first; every candidate is compared, in constant time.
pub fn matching_step(secret: &[u8], code: &str, now_ms: i64) -> Option<i64> {
    let now = step_at(now_ms);
    let mut found = None;
    for step in [now - 1, now, now + 1] {
        if constant_time_eq(&code_at(secret, step), code) {
            found = Some(step);
        }
    }
    found
}

/// The `otpauth://` address an app reads from the QR code.
pub fn otpauth_url(secret_b32: &str, issuer: &str, account: &str) -> String {
    let issuer_e = percent(issuer);
    format!(
        "otpauth://totp/{issuer_e}:{}?secret={secret_b32}&issuer={issuer_e}&algorithm=SHA1&digits=6&period={STEP_SECS}",
        percent(account)
    )
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `text` as a QR code, an `<svg>` element (no XML declaration) to put in a page.
pub fn qr_svg(text: &str) -> String {
    use qrcode::render::svg;
    let Ok(code) = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M) else {
        return String::new();
    };
    let svg = code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    match svg.find("<svg") {
        Some(at) => svg[at..].to_string(),
        None => svg,
    }
}

/// A new set of recovery codes, as typed (lower case, no hyphen).
pub fn new_recovery_codes() -> Vec<String> {
    let alphabet = RECOVERY_ALPHABET.as_bytes();
    (0..RECOVERY_CODES)
        .map(|_| {
            (0..RECOVERY_CODE_LEN)
                .map(|_| alphabet[OsRng.gen_range(0..alphabet.len())] as char)
                .collect()
        })
        .collect()
}

/// How a recovery code is stored: keyed by the server's secret and bound to its account, so
/// the table alone does not let anyone try codes offline.
pub fn recovery_hash(secret: &Secret, user_id: &str, code: &str) -> String {
    secret.mac_hex(&["recovery code", user_id, code])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1 (eight digits there; an app shows the last six).
    #[test]
    fn codes_are_rfc_6238() {
        let secret = b"12345678901234567890";
        for (time, eight) in [
            (59i64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
        ] {
            assert_eq!(code_at(secret, step_at(time * 1000)), eight[2..], "{time}");
        }
    }

    #[test]
    fn one_step_of_skew_either_way_and_no_more() {
        // (A fixed secret: with a random one, another step's code could equal one of these.)
        let secret = b"a fixed secret of twenty".to_vec();
        let now = 1_700_000_000_000i64;
        let step = step_at(now);
        for (offset, accepted) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = code_at(&secret, step + offset);
            let found = matching_step(&secret, &code, now);
            assert_eq!(found == Some(step + offset), accepted, "{offset}");
        }
    }

    #[test]
    fn the_address_names_the_platform_and_the_account() {
        let url = otpauth_url("ABC", "Mini Program Platform", "ann@example.com");
        assert_eq!(
            url,
            "otpauth://totp/Mini%20Program%20Platform:ann%40example.com?secret=ABC&issuer=Mini%20Program%20Platform&algorithm=SHA1&digits=6&period=30"
        );
        assert!(qr_svg(&url).starts_with("<svg"));
    }

    #[test]
    fn recovery_codes_are_ten_different_codes_of_the_alphabet() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        for c in codes {
            assert_eq!(
                crate::domain::SecondFactorCode::parse(&c),
                Ok(crate::domain::SecondFactorCode::Recovery(c.clone()))
            );
        }
    }
}
