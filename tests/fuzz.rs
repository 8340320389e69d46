//! Property tests (fuzzing) of what parses untrusted input: every domain parser and the logo
//! checker. For any input they answer without panicking; what they accept parses again to
//! itself (the stored, normalised form is a fixed point); an accepted logo is a real image.

use isv_portal::domain::*;
use isv_portal::onboarding::logo;
use proptest::prelude::*;
use proptest::sample::Index;
use std::sync::OnceLock;

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_MAGIC: &[u8] = &[0xFF, 0xD8, 0xFF];
const SIDE: u32 = 128;

/// Valid logos to damage: PNG in every colour type and JPEG in colour and grey, so that most
/// damaged files still pass the cheap checks (type, size, chunk list, end, sides) and what
/// happens to them is decided by the decoder.
fn seeds() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| logo::samples::varied(SIDE))
}

/// Damage inside a file.
#[derive(Clone, Debug)]
enum Damage {
    /// One byte replaced.
    Set(Index, u8),
    /// One bit flipped.
    Flip(Index, u8),
    /// A run of up to 63 bytes removed.
    Remove(Index, usize),
    /// A few bytes inserted.
    Insert(Index, Vec<u8>),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        4 => (any::<Index>(), any::<u8>()).prop_map(|(at, v)| Damage::Set(at, v)),
        4 => (any::<Index>(), 0u8..8).prop_map(|(at, bit)| Damage::Flip(at, bit)),
        1 => (any::<Index>(), 1usize..64).prop_map(|(at, n)| Damage::Remove(at, n)),
        1 => (any::<Index>(), proptest::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, b)| Damage::Insert(at, b)),
    ]
}

/// How a damaged file ends: mostly as it did (a cut or appended file is refused before
/// decoding, by its missing end or its extra data), sometimes cut short or with bytes appended.
#[derive(Clone, Debug)]
enum Ending {
    Kept,
    Cut(Index),
    Appended(Vec<u8>),
}

fn ending() -> impl Strategy<Value = Ending> {
    prop_oneof![
        8 => Just(Ending::Kept),
        1 => any::<Index>().prop_map(Ending::Cut),
        1 => proptest::collection::vec(any::<u8>(), 1..16).prop_map(Ending::Appended),
    ]
}

/// `seed` with `damage` done to it. With `fix_crcs`, a PNG's chunk checksums are made right
/// again, so damage inside a chunk reaches the decoder's inflater and filters instead of
/// stopping at the checksum.
fn damaged(seed: &[u8], damage: &[Damage], ending: &Ending, fix_crcs: bool) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for d in damage {
        // Seeds are kilobytes long and each damage removes at most 63 bytes: never empty here.
        match d {
            Damage::Set(at, v) => {
                let i = at.index(bytes.len());
                bytes[i] = *v;
            }
            Damage::Flip(at, bit) => {
                let i = at.index(bytes.len());
                bytes[i] ^= 1u8 << *bit;
            }
            Damage::Remove(at, n) => {
                let i = at.index(bytes.len());
                let end = (i + *n).min(bytes.len());
                bytes.drain(i..end);
            }
            Damage::Insert(at, extra) => {
                let i = at.index(bytes.len());
                bytes.splice(i..i, extra.iter().copied());
            }
        }
    }
    if fix_crcs && bytes.starts_with(PNG_MAGIC) {
        logo::samples::fix_png_crcs(&mut bytes);
    }
    match ending {
        Ending::Kept => {}
        Ending::Cut(at) => {
            let keep = at.index(bytes.len());
            bytes.truncate(keep);
        }
        Ending::Appended(tail) => bytes.extend_from_slice(tail),
    }
    bytes
}

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

    /// Arbitrary bytes, also behind a PNG or JPEG signature (and a JPEG end), so that they get
    /// past sniffing into the chunk walk and the header readers.
    #[test]
    fn the_logo_checker_never_panics_on_arbitrary_bytes(
        prefix in prop_oneof![Just(&b""[..]), Just(PNG_MAGIC), Just(JPEG_MAGIC)],
        body in proptest::collection::vec(any::<u8>(), 0..2048),
        jpeg_end in any::<bool>(),
    ) {
        let mut bytes = prefix.to_vec();
        bytes.extend_from_slice(&body);
        if jpeg_end && prefix == JPEG_MAGIC {
            bytes.extend_from_slice(&[0xFF, 0xD9]);
        }
        let _ = logo::process(&bytes);
    }

    /// A valid logo with bytes replaced, flipped, removed or inserted (and sometimes cut or
    /// appended to): refused or re-encoded, never a panic, and whatever is accepted decodes as
    /// the image it claims to be.
    #[test]
    fn a_damaged_logo_is_refused_or_re_encoded(
        which in any::<Index>(),
        damages in proptest::collection::vec(damage(), 1..6),
        end in ending(),
        fix_crcs in proptest::bool::weighted(0.75),
    ) {
        let seed = &seeds()[which.index(seeds().len())];
        let bytes = damaged(seed, &damages, &end, fix_crcs);
        if let Ok(l) = logo::process(&bytes) {
            let decoded = image::load_from_memory(&l.data).expect("the stored logo decodes");
            prop_assert_eq!((decoded.width(), decoded.height()), (l.width, l.height));
            prop_assert_eq!(l.width, l.height);
            prop_assert!((logo::MIN_SIDE..=logo::MAX_SIDE).contains(&l.width));
            let expected = if bytes.starts_with(PNG_MAGIC) { "image/png" } else { "image/jpeg" };
            prop_assert_eq!(l.content_type, expected);
        }
    }
}

/// The fuzzing starts from logos the checker accepts as they are.
#[test]
fn every_seed_is_an_accepted_logo() {
    for (i, seed) in seeds().iter().enumerate() {
        assert!(
            seed.len() <= logo::MAX_BYTES,
            "seed {i}: {} bytes",
            seed.len()
        );
        let l = logo::process(seed).unwrap_or_else(|e| panic!("seed {i} was refused: {e:?}"));
        assert_eq!((l.width, l.height), (SIDE, SIDE), "seed {i}");
    }
    assert!(seeds().iter().any(|s| s.starts_with(PNG_MAGIC)));
    assert!(seeds().iter().any(|s| s.starts_with(JPEG_MAGIC)));
}
