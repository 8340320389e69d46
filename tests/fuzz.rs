//! Property tests (fuzzing) of what parses untrusted input: every domain parser and the logo
//! checker. For any input they answer without panicking; what they accept parses again to
//! itself (the stored, normalised form is a fixed point); an accepted logo is a real image.

use isv_portal::domain::*;
use isv_portal::onboarding::logo;
use proptest::prelude::*;

/// Text with the characters that break parsers: controls, quotes, markup, non-ASCII, spaces.
fn nasty_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ a-zA-Z0-9@._+<>/\\\\\"'%#&:\\-\u{0}-\u{1f}\u{7f}\u{a0}\u{200b}é中]{0,120}",
        "[a-z0-9._+-]{1,20}@[a-z0-9-]{1,20}\\.[a-z]{2,6}",
        "\\+?[0-9 ()-]{0,25}",
        "(https?://)?[a-z0-9.-]{1,30}(/[a-z0-9?=&]{0,20})?",
    ]
}

macro_rules! fixed_point {
    ($input:expr, $ty:ident) => {
        if let Ok(v) = $ty::parse(&$input) {
            let again =
                $ty::parse(v.as_str()).expect(concat!(stringify!($ty), " accepts its own output"));
            prop_assert_eq!(again.as_str(), v.as_str());
        }
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn text_parsers_never_panic_and_accept_their_own_output(input in nasty_text()) {
        fixed_point!(input, Email);
        fixed_point!(input, Username);
        fixed_point!(input, VerificationCode);
        fixed_point!(input, CompanyName);
        fixed_point!(input, BusinessAddress);
        fixed_point!(input, Representative);
        fixed_point!(input, Website);
        fixed_point!(input, PhoneNumberInput);
        fixed_point!(input, RejectionReason);
        if let Ok(c) = CountryCode::parse(&input) {
            prop_assert_eq!(CountryCode::parse(c.code()).unwrap(), c);
        }
        let _ = Role::parse(&input);
        let _ = Status::parse(&input);
        let _ = Decision::parse(&input);
        let _ = Password::parse(&input, &["annlee", "ann@example.com"]);
        let _ = logo::check_file_name(&input);
    }

    #[test]
    fn accepted_text_has_no_control_characters(input in nasty_text()) {
        for accepted in [
            CompanyName::parse(&input).map(|v| v.as_str().to_string()),
            Representative::parse(&input).map(|v| v.as_str().to_string()),
            Username::parse(&input).map(|v| v.as_str().to_string()),
            Email::parse(&input).map(|v| v.as_str().to_string()),
        ].into_iter().flatten() {
            prop_assert!(!accepted.chars().any(char::is_control), "{accepted:?}");
        }
    }

    #[test]
    fn the_logo_checker_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = logo::process(&bytes);
    }

    /// A valid logo with bytes flipped, cut or appended: refused or re-encoded, never a panic,
    /// and whatever is accepted decodes as the image it claims to be.
    #[test]
    fn a_damaged_logo_is_refused_or_re_encoded(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        cut in any::<prop::sample::Index>(),
        tail in proptest::collection::vec(any::<u8>(), 0..16),
    ) {
        let mut bytes = valid_png();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let keep = bytes.len() - cut.index(bytes.len() / 4 + 1);
        bytes.truncate(keep);
        bytes.extend_from_slice(&tail);
        if let Ok(l) = logo::process(&bytes) {
            let decoded = image::load_from_memory(&l.data).expect("the stored logo decodes");
            prop_assert_eq!((decoded.width(), decoded.height()), (l.width, l.height));
            prop_assert!(l.content_type == "image/png" || l.content_type == "image/jpeg");
        }
    }
}

fn valid_png() -> Vec<u8> {
    let img = image::ImageBuffer::from_pixel(128, 128, image::Rgba([22u8, 119, 255, 255]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}
