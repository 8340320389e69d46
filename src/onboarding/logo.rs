//! The Business Logo: decided by content, never by name or declared type. JPG or PNG, at most
//! 256 KB, square, at least 128×128; dimensions are read from the header before anything is
//! decoded (bombs are refused), trailing data is refused (polyglots), and what is accepted is
//! decoded and re-encoded, which drops metadata.

use crate::error::AppError;
use image::{ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};
use std::io::Cursor;

pub const MAX_BYTES: usize = 256 * 1024;
pub const MIN_SIDE: u32 = 128;
/// Larger sides are refused before decoding (a 4096² RGBA image is 64 MiB).
pub const MAX_SIDE: u32 = 4096;
pub const RULES: &str = "JPG or PNG, at most 256 KB, square (1:1), at least 128×128 pixels.";

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_MAGIC: &[u8] = &[0xFF, 0xD8, 0xFF];

#[derive(Debug)]
pub struct Logo {
    pub content_type: &'static str,
    pub data: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub etag: String,
}

fn refuse(message: impl Into<String>) -> AppError {
    AppError::field("logo", message)
}

/// Refuses a file name that carries a path (the name is otherwise ignored).
pub fn check_file_name(name: &str) -> Result<(), AppError> {
    if name.contains('/') || name.contains('\\') || name.contains("..") || name.contains('\0') {
        return Err(refuse("The file name must not contain a folder path."));
    }
    Ok(())
}

/// The end of a PNG's IEND chunk, walking the chunk list from the signature.
fn png_end(bytes: &[u8]) -> Option<usize> {
    let mut at = PNG_MAGIC.len();
    loop {
        let len = u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let kind = bytes.get(at + 4..at + 8)?;
        let end = at.checked_add(12)?.checked_add(len)?;
        if end > bytes.len() {
            return None;
        }
        if kind == b"IEND" {
            return Some(end);
        }
        at = end;
    }
}

pub fn process(bytes: &[u8]) -> Result<Logo, AppError> {
    if bytes.is_empty() {
        return Err(refuse("The file is empty. Choose a JPG or PNG image."));
    }
    if bytes.len() > MAX_BYTES {
        return Err(refuse(format!(
            "The logo is {} KB; it can be at most 256 KB.",
            bytes.len().div_ceil(1024)
        )));
    }
    let format = if bytes.starts_with(PNG_MAGIC) {
        ImageFormat::Png
    } else if bytes.starts_with(JPEG_MAGIC) {
        ImageFormat::Jpeg
    } else {
        return Err(refuse(
            "Only JPG or PNG images are accepted; this file is something else.",
        ));
    };
    let trailing = match format {
        ImageFormat::Png => match png_end(bytes) {
            Some(end) => end != bytes.len(),
            None => return Err(refuse("The image is damaged or incomplete.")),
        },
        _ => !bytes.ends_with(&[0xFF, 0xD9]),
    };
    if trailing {
        return Err(refuse(
            "The image has extra data after its end (or is incomplete). Export it again as a plain JPG or PNG.",
        ));
    }

    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|_| refuse("The image is damaged or incomplete."))?;
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(refuse(format!(
            "The image is {width}×{height} pixels; at most {MAX_SIDE}×{MAX_SIDE} is accepted."
        )));
    }
    if width != height {
        return Err(refuse(format!(
            "The logo must be square (1:1); this one is {width}×{height} pixels."
        )));
    }
    if width < MIN_SIDE {
        return Err(refuse(format!(
            "The logo must be at least {MIN_SIDE}×{MIN_SIDE} pixels; this one is {width}×{height}."
        )));
    }

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(128 * 1024 * 1024);
    reader.limits(limits);
    let image = reader
        .decode()
        .map_err(|_| refuse("The image is damaged or incomplete."))?;

    let mut out = Cursor::new(Vec::new());
    let content_type = match format {
        ImageFormat::Png => {
            image
                .write_to(&mut out, ImageFormat::Png)
                .map_err(|_| refuse("The image could not be processed."))?;
            "image/png"
        }
        _ => {
            let rgb = image.to_rgb8();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
                .encode_image(&rgb)
                .map_err(|_| refuse("The image could not be processed."))?;
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
    let logo = match super::store::logo_for(&state.db, &user, &id).await {
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

/// Test material: a PNG that declares `side`×`side` pixels in a few dozen bytes, as the header
/// of a decompression bomb does (used by the unit and integration tests).
#[doc(hidden)]
pub mod samples {
    use super::PNG_MAGIC;

    fn crc32(data: &[u8]) -> u32 {
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

    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    }

    /// A tiny file that declares a huge image (a decompression bomb's header).
    pub fn declared_png(side: u32) -> Vec<u8> {
        let mut out = PNG_MAGIC.to_vec();
        let mut ihdr = side.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&side.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        chunk(&mut out, b"IHDR", &ihdr);
        chunk(
            &mut out,
            b"IDAT",
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        );
        chunk(&mut out, b"IEND", &[]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::samples::declared_png;
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
}
