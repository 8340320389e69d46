//! Languages: which one a page is in, and every sentence the portal says, in each.
//!
//! The words live in one file per language (`en.rs`, `zh_cn.rs`), each a value of [`Texts`]:
//! a struct of `&'static str`, so a key missing from a language, or misspelt where it is used,
//! is a compile error. Sentences with values in them carry `{name}` placeholders, filled by
//! [`fill`]; a test checks every language has the same placeholders as English.
//!
//! The page's language is chosen on the server (the `isv_lang` cookie, set by the header's
//! switcher and at sign-in from the account; otherwise the browser's `Accept-Language`),
//! written into `<html lang>`, and read back from there by the hydrating browser, so both sides
//! render the same words. Adding a language: see the README ("Adding a language").

mod en;
#[cfg(feature = "ssr")]
pub mod switch;
mod texts;
mod zh_cn;

pub use texts::*;

use serde::{Deserialize, Serialize};

/// A language the portal is written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    En,
    ZhCn,
}

/// The cookie that keeps the chosen language (named for the portal: a `lang` cookie another
/// site of the same domain sets must not stand in for it).
pub const COOKIE: &str = "isv_lang";

/// Where the header's language switcher posts (`server::language`).
pub const SWITCH_PATH: &str = "/language";

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    /// The BCP 47 tag (`<html lang>`, the cookie, the account's column).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// The language's name in itself, as the switcher shows it.
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::ZhCn => "简体中文",
        }
    }

    /// A tag we write in, or the closest: any `en-*` is English; `zh`, `zh-CN`, `zh-SG` and
    /// `zh-Hans*` are Simplified Chinese (Traditional Chinese tags are not: better English than
    /// the wrong script).
    pub fn parse(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
        let mut parts = tag.split('-');
        match parts.next()? {
            "en" => Some(Lang::En),
            "zh" => {
                let rest: Vec<&str> = parts.collect();
                let traditional = rest
                    .iter()
                    .any(|p| matches!(*p, "hant" | "tw" | "hk" | "mo"));
                let simplified = rest.contains(&"hans");
                (simplified || !traditional).then_some(Lang::ZhCn)
            }
            _ => None,
        }
    }

    /// The best language for an `Accept-Language` header: the first we write in, by the weight
    /// the browser gave it (English when none fits).
    pub fn negotiate(accept_language: &str) -> Lang {
        let mut best: Option<(u16, Lang)> = None;
        for item in accept_language.split(',').take(32) {
            let mut fields = item.split(';');
            let tag = fields.next().unwrap_or("");
            let weight = fields
                .find_map(|f| f.trim().strip_prefix("q="))
                .map(|q| (q.trim().parse::<f32>().unwrap_or(0.0).clamp(0.0, 1.0) * 1000.0) as u16)
                .unwrap_or(1000);
            if weight == 0 {
                continue;
            }
            if let Some(lang) = Lang::parse(tag) {
                if best.is_none_or(|(w, _)| weight > w) {
                    best = Some((weight, lang));
                }
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    /// Its place in [`Lang::ALL`] (for a value kept per language).
    pub fn index(self) -> usize {
        Lang::ALL.iter().position(|l| *l == self).unwrap_or(0)
    }

    /// Every sentence, in this language.
    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::En => &en::TEXTS,
            Lang::ZhCn => &zh_cn::TEXTS,
        }
    }
}

/// A stored language tag (`users.language`, `acceptances.language`) decodes by
/// `#[sqlx(try_from = "String")]`.
impl TryFrom<String> for Lang {
    type Error = crate::domain::UnknownKey;

    fn try_from(tag: String) -> Result<Self, Self::Error> {
        Lang::parse(&tag).ok_or(crate::domain::UnknownKey {
            what: "language",
            value: tag,
        })
    }
}

/// The language of the page being rendered (or of the server function's request): on the
/// server it is in the request's context; in the browser it is the page's, read once at start
/// ([`start_in_page_language`]), so event handlers and callbacks, which run outside any
/// component, speak it too.
pub fn lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<Lang>().unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        PAGE_LANG.with(|l| l.get())
    }
}

#[cfg(not(feature = "ssr"))]
thread_local! {
    static PAGE_LANG: std::cell::Cell<Lang> = const { std::cell::Cell::new(Lang::En) };
}

/// The sentences of the page being rendered: `let t = i18n::t();` then `t.accounts.sign_in`.
pub fn t() -> &'static Texts {
    lang().texts()
}

/// A sentence split at its `{name}` placeholder, for a value shown as markup (a badge, a
/// moment): what comes before it and what comes after.
pub fn around<'a>(sentence: &'a str, name: &str) -> (&'a str, &'a str) {
    sentence
        .split_once(format!("{{{name}}}").as_str())
        .unwrap_or((sentence, ""))
}

/// Puts values into a sentence's `{name}` placeholders, in one pass over the sentence: a value
/// is never read again, so text a person typed (a company name with `{email}` in it) stays as
/// typed. A placeholder without a value is left as it is.
pub fn fill(template: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').and_then(|close| {
            args.iter()
                .find(|(n, _)| *n == &after[..close])
                .map(|a| (close, a))
        }) {
            Some((close, (_, value))) => {
                out.push_str(&value.to_string());
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The hydrating browser renders in the language the server wrote into `<html lang>`.
#[cfg(feature = "hydrate")]
pub fn start_in_page_language() {
    let lang = leptos::prelude::document()
        .document_element()
        .and_then(|html| html.get_attribute("lang"))
        .and_then(|tag| Lang::parse(&tag))
        .unwrap_or_default();
    PAGE_LANG.with(|l| l.set(lang));
}

/// (key path, sentence) of every sentence of a language, by key: what the tests compare
/// between languages and look for on pages.
#[cfg(feature = "ssr")]
pub fn sentences(lang: Lang) -> Vec<(String, String)> {
    fn walk(path: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    walk(&format!("{path}.{k}"), v, out);
                }
            }
            serde_json::Value::String(s) => out.push((path.to_string(), s.clone())),
            other => panic!("{path}: only sentences belong in a catalogue, not {other}"),
        }
    }
    let value = serde_json::to_value(lang.texts()).expect("a catalogue is plain strings");
    let mut out = Vec::new();
    walk("", &value, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_map_to_the_languages_we_write() {
        assert_eq!(Lang::parse("en-GB"), Some(Lang::En));
        assert_eq!(Lang::parse("zh"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("zh_Hans_SG"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("zh-TW"), None);
        assert_eq!(Lang::parse("zh-Hant"), None);
        assert_eq!(Lang::parse("fr"), None);
        for lang in Lang::ALL {
            assert_eq!(Lang::parse(lang.tag()), Some(lang));
        }
    }

    #[test]
    fn accept_language_picks_the_heaviest_language_we_write() {
        assert_eq!(Lang::negotiate("zh-CN,zh;q=0.9,en;q=0.8"), Lang::ZhCn);
        assert_eq!(
            Lang::negotiate("fr-FR,fr;q=0.9,zh;q=0.5,en;q=0.4"),
            Lang::ZhCn
        );
        assert_eq!(Lang::negotiate("en;q=0.3, zh-Hans;q=0.7"), Lang::ZhCn);
        assert_eq!(Lang::negotiate("de, zh;q=0"), Lang::En);
        assert_eq!(Lang::negotiate("zh-TW, en;q=0.1"), Lang::En);
        assert_eq!(Lang::negotiate(""), Lang::En);
        assert_eq!(Lang::negotiate("*"), Lang::En);
    }

    #[test]
    fn fill_puts_values_in_their_places() {
        assert_eq!(
            fill("at most {max} ({len})", &[("max", &5), ("len", &7)]),
            "at most 5 (7)"
        );
        // What a person typed is never filled in again.
        assert_eq!(
            fill(
                "{name} invited {email}",
                &[("name", &"{email}"), ("email", &"a@b.c")]
            ),
            "{email} invited a@b.c"
        );
        assert_eq!(fill("{a} {missing} {", &[("a", &1)]), "1 {missing} {");
        assert_eq!(around("Submitted {date}.", "date"), ("Submitted ", "."));
        assert_eq!(around("No date here", "date"), ("No date here", ""));
    }

    /// Every language says every sentence, with the same placeholders as English.
    #[test]
    fn every_language_has_every_sentence_with_the_same_placeholders() {
        let english = sentences(Lang::En);
        for lang in Lang::ALL {
            let other = sentences(lang);
            assert_eq!(other.len(), english.len());
            for ((key, en), (key2, text)) in english.iter().zip(&other) {
                assert_eq!(key, key2);
                assert!(!text.trim().is_empty(), "{lang:?} {key} is empty");
                assert_eq!(
                    placeholders(en),
                    placeholders(text),
                    "{lang:?} {key}: {text}"
                );
            }
        }
    }

    /// A sentence copied into another language unchanged is one left untranslated, unless it
    /// holds no words (placeholders, an example address, a file format).
    #[test]
    fn no_language_repeats_an_english_sentence() {
        const SAME_IN_EVERY_LANGUAGE: &[&str] = &[".onboarding.business.logo_placeholder"];
        let english = sentences(Lang::En);
        for lang in Lang::ALL.into_iter().filter(|l| *l != Lang::En) {
            let copied: Vec<&String> = english
                .iter()
                .zip(sentences(lang))
                .filter(|((_, en), (_, other))| en == other)
                .filter(|((_, en), _)| en.chars().filter(|c| c.is_ascii_alphabetic()).count() > 3)
                .map(|((key, _), _)| key)
                .filter(|key| !SAME_IN_EVERY_LANGUAGE.contains(&key.as_str()))
                .collect();
            assert!(copied.is_empty(), "{lang:?} repeats English in {copied:?}");
        }
    }

    fn placeholders(s: &str) -> Vec<String> {
        let mut out: Vec<String> = s
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
            .collect();
        out.sort();
        out
    }
}
