//! The Business Logo: decided by content, never by name or declared type. The rules (JPG or
//! PNG, a size limit, square, a shortest side) and their wording are in `logo_rules`, shared
//! with the form; dimensions are read from the header before anything is decoded (bombs are
//! refused), trailing data is refused (polyglots), and what is accepted is decoded and
//! re-encoded, which drops metadata. Decoding waits its turn in a queue of its own (one decoder
//! per core) and may allocate at most [`DECODE_CAP_BYTES`].

use super::business::logo_rules;
use crate::error::AppError;
use crate::i18n::fill;
use image::{ImageError, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::io::Cursor;
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

pub use super::business::logo_rules::{MAX_BYTES, MIN_SIDE};
/// Larger sides are refused before decoding (a 4096² RGBA image is 64 MiB).
pub const MAX_SIDE: u32 = 4096;

/// The decoder's memory cap for one logo: 65 MiB. The largest accepted image, 4096×4096 with
/// four 8-bit channels (RGBA), needs 4096 × 4096 × 4 = 64 MiB; the extra 1 MiB is headroom for
/// the PNG decoder's own buffers (a few rows, as metadata is left out). An image whose buffer
/// needs more is refused instead of decoded, e.g. a 4096² PNG with 16-bit channels (96 MiB as
/// RGB). The PNG decoder's own allocations are held to the same figure. Not covered: zune-jpeg's
/// working memory for a progressive JPEG (image passes it no memory limit), one more reason
/// decodes are queued, one per core.
pub const DECODE_CAP_BYTES: u64 = MAX_SIDE as u64 * MAX_SIDE as u64 * 4 + 1024 * 1024;

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_MAGIC: &[u8] = &[0xFF, 0xD8, 0xFF];
/// The chunks a PNG's pixels depend on; the rest is metadata.
const PNG_PIXEL_CHUNKS: [&[u8]; 5] = [b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"];

pub use crate::applications::store::Logo;

fn refuse(message: impl Into<String>) -> AppError {
    AppError::field("logo", message)
}

fn damaged() -> AppError {
    refuse(crate::i18n::t().onboarding.logo.damaged)
}

/// Refuses a file name that carries a path (the name is otherwise ignored).
pub fn check_file_name(name: &str) -> Result<(), AppError> {
    if name.contains('/') || name.contains('\\') || name.contains("..") || name.contains('\0') {
        return Err(refuse(crate::i18n::t().onboarding.logo.folder_path));
    }
    Ok(())
}

/// Walks a PNG's chunks from the signature to IEND. Returns where IEND ends and a copy with only
/// the chunks its pixels need: metadata is dropped by re-encoding anyway, and keeping it from
/// the decoder keeps an ICC profile (which the PNG decoder inflates) or a text chunk from
/// costing memory while decoding.
fn png_pixels(bytes: &[u8]) -> Option<(usize, Vec<u8>)> {
    let mut kept = PNG_MAGIC.to_vec();
    let mut at = PNG_MAGIC.len();
    loop {
        let len = u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let kind = bytes.get(at + 4..at + 8)?;
        let end = at.checked_add(12)?.checked_add(len)?;
        let chunk = bytes.get(at..end)?;
        if PNG_PIXEL_CHUNKS.contains(&kind) {
            kept.extend_from_slice(chunk);
        }
        if kind == b"IEND" {
            return Some((end, kept));
        }
        at = end;
    }
}

/// How many logos are decoded at once: one per core. Decoding is CPU-bound and each decode
/// may hold up to [`DECODE_CAP_BYTES`], so a burst of uploads waits its turn instead of
/// multiplying CPU and memory use.
pub fn decoders() -> usize {
    static N: OnceLock<usize> = OnceLock::new();
    *N.get_or_init(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    })
}

fn decode_permits() -> Arc<Semaphore> {
    static PERMITS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    PERMITS
        .get_or_init(|| Arc::new(Semaphore::new(decoders())))
        .clone()
}

/// [`process`] behind the decoders' queue: waits for a permit, then checks, decodes and
/// re-encodes on a blocking thread while holding it. This is how requests check a logo.
pub async fn process_queued(bytes: Vec<u8>) -> Result<Logo, AppError> {
    use crate::server::request::OrInternal;
    // The blocking thread is outside the request's context: its language goes along.
    let lang = crate::i18n::lang();
    let permit = decode_permits()
        .acquire_owned()
        .await
        .or_internal("waiting for a logo decoder")?;
    tokio::task::spawn_blocking(move || {
        // Released when the re-encoded logo is ready, even if the request was dropped
        // meanwhile: abandoned uploads cannot add decodes beyond the permits.
        let _permit = permit;
        let result = crate::i18n::switch::speaking(lang, || process(&bytes));
        crate::server::memory::note_heavy_work();
        result
    })
    .await
    .or_internal("processing a logo")?
}

/// Checks a logo and re-encodes it, with the production memory cap. Blocking: requests use
/// [`process_queued`].
pub fn process(bytes: &[u8]) -> Result<Logo, AppError> {
    process_with_cap(bytes, DECODE_CAP_BYTES)
}

fn limits(cap_bytes: u64, max_side: Option<u32>) -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = max_side;
    limits.max_image_height = max_side;
    limits.max_alloc = Some(cap_bytes);
    limits
}

/// [`process`] with the decoder allowed `cap_bytes` (the tests show the cap is what refuses).
pub fn process_with_cap(bytes: &[u8], cap_bytes: u64) -> Result<Logo, AppError> {
    let words = &crate::i18n::t().onboarding.logo;
    if bytes.is_empty() {
        return Err(refuse(words.empty));
    }
    if bytes.len() > MAX_BYTES {
        return Err(refuse(logo_rules::over_size(bytes.len())));
    }
    let trailing = || refuse(words.trailing_data);
    let (format, pixels): (ImageFormat, Cow<'_, [u8]>) = if bytes.starts_with(PNG_MAGIC) {
        let (end, pixels) = png_pixels(bytes).ok_or_else(damaged)?;
        if end != bytes.len() {
            return Err(trailing());
        }
        (ImageFormat::Png, Cow::Owned(pixels))
    } else if bytes.starts_with(JPEG_MAGIC) {
        if !bytes.ends_with(&[0xFF, 0xD9]) {
            return Err(trailing());
        }
        (ImageFormat::Jpeg, Cow::Borrowed(bytes))
    } else {
        return Err(refuse(words.not_jpg_or_png));
    };

    // The header alone, under the same memory cap; the sides are judged below, with the rule
    // that names them.
    let mut header = ImageReader::with_format(Cursor::new(&pixels[..]), format);
    header.limits(limits(cap_bytes, None));
    let (width, height) = header.into_dimensions().map_err(|_| damaged())?;
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(refuse(fill(
            words.too_many_pixels,
            &[
                ("width", &width),
                ("height", &height),
                ("max_side", &MAX_SIDE),
            ],
        )));
    }
    if width != height {
        return Err(refuse(logo_rules::not_square(width, height)));
    }
    if width < MIN_SIDE {
        return Err(refuse(logo_rules::too_small(width, height)));
    }

    let mut reader = ImageReader::with_format(Cursor::new(&pixels[..]), format);
    reader.limits(limits(cap_bytes, Some(MAX_SIDE)));
    let image = reader.decode().map_err(|e| match e {
        ImageError::Limits(_) => refuse(fill(words.needs_memory, &[("max_side", &MAX_SIDE)])),
        _ => damaged(),
    })?;

    let mut out = Cursor::new(Vec::new());
    let content_type = match format {
        ImageFormat::Png => {
            image
                .write_to(&mut out, ImageFormat::Png)
                .map_err(|_| refuse(words.not_processed))?;
            "image/png"
        }
        _ => {
            // No copy when the JPEG decoded as RGB already.
            let rgb = image.into_rgb8();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
                .encode_image(&rgb)
                .map_err(|_| refuse(words.not_processed))?;
            "image/jpeg"
        }
    };
    let data = out.into_inner();
    let digest = Sha256::digest(&data);
    let etag = format!(
        "\"{}\"",
        digest[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    Ok(Logo {
        content_type,
        data,
        width,
        height,
        etag,
    })
}

/// `GET /logos/{id}`: the logo with its real type, a validator, and only for its owner.
pub async fn serve(
    axum::extract::State(state): axum::extract::State<crate::server::request::AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    headers: http::HeaderMap,
) -> axum::response::Response {
    use crate::server::sessions;
    use axum::response::IntoResponse;
    use http::{header, StatusCode};

    let not_found = || (StatusCode::NOT_FOUND, "Not found").into_response();
    let user = match sessions::from_headers(&state.db, &state.config, &headers).await {
        Ok(Some((_, u))) => u,
        Ok(None) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "looking up a session for a logo");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let logo = match crate::applications::store::logo_for(&state.db, &user, &id).await {
        Ok(Some(l)) => l,
        Ok(None) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "reading a logo");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let cache = [
        (header::ETAG, logo.etag.clone()),
        (header::CACHE_CONTROL, "private, no-cache".to_string()),
    ];
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == logo.etag)
    {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, logo.content_type.clone())],
        cache,
        logo.data,
    )
        .into_response()
}

/// Test material for the unit, integration and fuzz tests: the header of a decompression bomb,
/// real images at the size limit, and valid logos of every kind to damage.
#[doc(hidden)]
pub mod samples {
    use super::PNG_MAGIC;
    use image::codecs::jpeg::JpegEncoder;
    use image::codecs::png::PngEncoder;
    use image::{ExtendedColorType, ImageEncoder};

    pub fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// Appends a PNG chunk (length, type, data, checksum) to `out`.
    pub fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    }

    /// A tiny file that declares a huge image (a decompression bomb's header).
    pub fn declared_png(side: u32) -> Vec<u8> {
        declared_png_as(side, 8, 6)
    }

    /// A tiny file that declares `side`×`side` pixels of `bit_depth` bits a channel in
    /// `colour_type` (2 RGB, 6 RGBA), with no pixels behind the header: what the decoder must
    /// allocate is known from the header, before anything is inflated.
    pub fn declared_png_as(side: u32, bit_depth: u8, colour_type: u8) -> Vec<u8> {
        let mut out = PNG_MAGIC.to_vec();
        let mut ihdr = side.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&side.to_be_bytes());
        ihdr.extend_from_slice(&[bit_depth, colour_type, 0, 0, 0]);
        chunk(&mut out, b"IHDR", &ihdr);
        chunk(
            &mut out,
            b"IDAT",
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        );
        chunk(&mut out, b"IEND", &[]);
        out
    }

    fn pixels(side: u32) -> usize {
        side as usize * side as usize
    }

    fn png(raw: &[u8], side: u32, color: ExtendedColorType) -> Vec<u8> {
        let mut out = Vec::new();
        PngEncoder::new(&mut out)
            .write_image(raw, side, side, color)
            .expect("a PNG encodes");
        out
    }

    fn jpeg(raw: &[u8], side: u32, color: ExtendedColorType) -> Vec<u8> {
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 85)
            .encode(raw, side, side, color)
            .expect("a JPEG encodes");
        out
    }

    /// A real `side`×`side` PNG of one colour, 8-bit RGBA: at 4096² it is 64 MiB decoded but
    /// only tens of KB in the file (one colour compresses about 1000:1), a bomb within bounds.
    /// The worst case for memory among 8-bit images (RGBA: 64 MiB decoded at 4096²) that
    /// deflate squeezes into a few dozen KB.
    pub fn solid_png(side: u32) -> Vec<u8> {
        use image::codecs::png::{CompressionType, FilterType};
        let mut out = Vec::new();
        PngEncoder::new_with_quality(&mut out, CompressionType::Best, FilterType::Up)
            .write_image(
                &[22, 119, 255, 255].repeat(pixels(side)),
                side,
                side,
                ExtendedColorType::Rgba8,
            )
            .expect("a PNG encodes");
        out
    }

    /// Valid `side`×`side` logos with varied pixels, of every kind the checker decodes: PNG in
    /// grey, grey and alpha, RGB, RGBA and 16-bit RGB; JPEG in colour and in grey.
    pub fn varied(side: u32) -> Vec<Vec<u8>> {
        let pattern = |channels: u32| -> Vec<u8> {
            let mut raw = Vec::with_capacity(pixels(side) * channels as usize);
            for y in 0..side {
                for x in 0..side {
                    for c in 0..channels {
                        raw.push((x * 3 + y * 5 + c * 67 + (x ^ y)) as u8);
                    }
                }
            }
            raw
        };
        vec![
            png(&pattern(1), side, ExtendedColorType::L8),
            png(&pattern(2), side, ExtendedColorType::La8),
            png(&pattern(3), side, ExtendedColorType::Rgb8),
            png(&pattern(4), side, ExtendedColorType::Rgba8),
            png(&pattern(6), side, ExtendedColorType::Rgb16),
            jpeg(&pattern(3), side, ExtendedColorType::Rgb8),
            jpeg(&pattern(1), side, ExtendedColorType::L8),
        ]
    }

    /// Recomputes the checksum of every whole chunk of a PNG, so that damage inside a chunk
    /// reaches the decoder instead of stopping at the checksum.
    pub fn fix_png_crcs(bytes: &mut [u8]) {
        let mut at = PNG_MAGIC.len();
        while let Some(len) = bytes.get(at..at + 4) {
            let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
            let end = at + 8 + len;
            if end + 4 > bytes.len() {
                return;
            }
            let crc = crc32(&bytes[at + 4..end]);
            bytes[end..end + 4].copy_from_slice(&crc.to_be_bytes());
            at = end + 4;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::samples::{declared_png, declared_png_as, solid_png};
    use super::*;
    use image::{ImageBuffer, Rgba};

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = ImageBuffer::from_pixel(w, h, Rgba([20u8, 119, 255, 255]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    fn message(r: Result<Logo, AppError>) -> String {
        r.unwrap_err().field_message("logo").unwrap()
    }

    #[test]
    fn accepts_a_square_png_and_re_encodes_it() {
        let logo = process(&png(128, 128)).unwrap();
        assert_eq!(logo.content_type, "image/png");
        assert_eq!((logo.width, logo.height), (128, 128));
        assert!(logo.data.starts_with(PNG_MAGIC));
    }

    #[test]
    fn each_rule_has_its_own_refusal() {
        assert!(message(process(&png(200, 100))).contains("square"));
        assert!(message(process(&png(64, 64))).contains("at least 128"));
        assert!(
            message(process(b"<html><script>alert(1)</script></html>")).contains("Only JPG or PNG")
        );
        assert!(
            message(process(b"<svg xmlns='http://www.w3.org/2000/svg'/>"))
                .contains("Only JPG or PNG")
        );
        let mut polyglot = png(128, 128);
        polyglot.extend_from_slice(b"<script>alert(1)</script>");
        assert!(message(process(&polyglot)).contains("extra data"));
        let full = png(128, 128);
        assert!(message(process(&full[..full.len() / 2])).contains("damaged or incomplete"));
        assert!(message(process(&vec![0u8; MAX_BYTES + 1])).contains("256 KB"));
        assert!(message(process(&declared_png(50_000))).contains("at most 4096"));
        assert!(check_file_name("../../etc/passwd.png").is_err());
        assert!(check_file_name("C:\\logo.png").is_err());
        assert!(check_file_name("logo.png").is_ok());
    }

    #[test]
    fn a_4096_square_png_of_one_colour_is_accepted_within_the_cap() {
        let bomb = solid_png(MAX_SIDE);
        assert!(bomb.len() <= MAX_BYTES, "{} bytes", bomb.len());
        let logo = process(&bomb).unwrap();
        assert_eq!((logo.width, logo.height), (MAX_SIDE, MAX_SIDE));
        assert_eq!(logo.content_type, "image/png");
    }

    /// Fails if the cap is not handed to the decoder: the same 64 MiB image that decodes under
    /// the production cap must be refused under a 16 MiB one.
    #[test]
    fn the_memory_cap_is_what_the_decoder_is_held_to() {
        let bomb = solid_png(MAX_SIDE);
        assert!(process_with_cap(&bomb, DECODE_CAP_BYTES).is_ok());
        let m = message(process_with_cap(&bomb, 16 * 1024 * 1024));
        assert!(m.contains("more memory"), "{m}");
    }

    /// Fails if production decodes with a looser cap than the largest 8-bit image needs: 4096²
    /// RGB with 16-bit channels needs 96 MiB.
    #[test]
    fn a_4096_square_png_with_16_bit_channels_needs_more_than_the_cap() {
        let m = message(process(&declared_png_as(MAX_SIDE, 16, 2)));
        assert!(m.contains("more memory"), "{m}");
    }

    /// Metadata never reaches the decoder, so it cannot cost decoding memory: under a cap with
    /// room for the pixels only, a PNG carrying 200 KB of text still decodes.
    #[test]
    fn metadata_is_left_out_of_decoding() {
        let plain = png(128, 128);
        // The signature (8 bytes) and IHDR (25) come first.
        let mut with_text = plain[..33].to_vec();
        let mut text = b"Comment\0".to_vec();
        text.resize(200_000, b'x');
        samples::chunk(&mut with_text, b"tEXt", &text);
        with_text.extend_from_slice(&plain[33..]);
        let logo = process_with_cap(&with_text, 128 * 128 * 4 + 64 * 1024).unwrap();
        assert_eq!((logo.width, logo.height), (128, 128));
        assert!(!logo.data.windows(7).any(|w| w == b"Comment"));
    }

    /// Fails if logos are decoded outside the queue: with every permit taken, a logo waits.
    #[tokio::test]
    async fn a_logo_waits_for_a_free_decoder() {
        let all = decode_permits()
            .acquire_many_owned(decoders() as u32)
            .await
            .unwrap();
        let queued = tokio::spawn(process_queued(png(128, 128)));
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(!queued.is_finished(), "decoded without a permit");
        drop(all);
        let logo = queued.await.unwrap().unwrap();
        assert_eq!((logo.width, logo.height), (128, 128));
    }

    /// Peak memory of checking the largest accepted PNG, for bench/RESULTS.md. A measurement,
    /// not a check: run it alone, so no other test moves the process's peak:
    /// `cargo test --features ssr --lib -- --ignored --exact --nocapture
    /// onboarding::logo::tests::peak_memory_of_a_4096_square_png`
    #[test]
    #[ignore = "a measurement; run alone (see its comment)"]
    fn peak_memory_of_a_4096_square_png() {
        fn status_kib(field: &str) -> u64 {
            let status = std::fs::read_to_string("/proc/self/status").unwrap();
            status
                .lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or_else(|| panic!("no {field} in /proc/self/status"))
        }
        let bomb = solid_png(MAX_SIDE);
        // Building the sample peaked too; restart the high-water mark from the current RSS.
        std::fs::write("/proc/self/clear_refs", "5").expect("resetting VmHWM (Linux 4.0+)");
        let before = status_kib("VmHWM:");
        let logo = process(&bomb).unwrap();
        let peak = status_kib("VmHWM:");
        println!(
            "{MAX_SIDE}x{MAX_SIDE} PNG of {} KB in, {} KB out: peak {:.1} MiB above the {:.1} MiB before (cap {:.1} MiB)",
            bomb.len().div_ceil(1024),
            logo.data.len().div_ceil(1024),
            (peak - before) as f64 / 1024.0,
            before as f64 / 1024.0,
            DECODE_CAP_BYTES as f64 / (1024.0 * 1024.0),
        );
    }
}
