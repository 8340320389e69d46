//! Country and region names in each language the portal speaks: English as ISO 3166 lists them
//! (`celes`, the names the domain's `CountryCode::parse` accepts), every other language from the
//! Unicode CLDR (`icu_experimental`'s region display names). Codes stay ISO alpha-2 everywhere;
//! names are only shown and searched.

use crate::domain::countries;
use crate::i18n::Lang;
use icu_experimental::displaynames::multi::RegionDisplayNames;
use icu_experimental::displaynames::DisplayNamesOptions;
use icu_locale_core::subtags::Region;
use std::sync::OnceLock;

/// (alpha-2, name) of every country and region in `lang`, sorted by name (made once).
pub fn list(lang: Lang) -> &'static [(&'static str, String)] {
    static LISTS: [OnceLock<Vec<(&'static str, String)>>; Lang::ALL.len()] =
        [const { OnceLock::new() }; Lang::ALL.len()];
    let i = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0);
    LISTS[i].get_or_init(|| {
        let english = countries();
        let cldr = match lang {
            Lang::En => None,
            Lang::ZhCn => RegionDisplayNames::try_new(
                icu_locale_core::locale!("zh").into(),
                DisplayNamesOptions::default(),
            )
            .inspect_err(|e| tracing::error!(error = %e, "CLDR region names"))
            .ok(),
        };
        let mut all: Vec<(&'static str, String)> = english
            .into_iter()
            .map(|(code, name)| {
                let local = cldr.as_ref().and_then(|names| {
                    Region::try_from_str(code)
                        .ok()
                        .and_then(|r| names.of(r))
                        .map(str::to_string)
                });
                (code, local.unwrap_or_else(|| name.to_string()))
            })
            .collect();
        all.sort_by(|a, b| a.1.cmp(&b.1));
        all
    })
}

/// The name of `code` in `lang`, if it is a country's alpha-2 code.
pub fn name(lang: Lang, code: &str) -> Option<&'static str> {
    list(lang)
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code.trim()))
        .map(|(_, n)| n.as_str())
}

/// The alpha-2 code of what was typed into a Country/Region field: a code, or a name in any of
/// the portal's languages (any case, spaces around ignored).
pub fn code_of(typed: &str) -> Option<&'static str> {
    let typed = typed.trim();
    if typed.is_empty() {
        return None;
    }
    Lang::ALL.iter().find_map(|lang| {
        list(*lang)
            .iter()
            .find(|(code, name)| {
                code.eq_ignore_ascii_case(typed) || name.to_lowercase() == typed.to_lowercase()
            })
            .map(|(code, _)| *code)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_in_each_language_and_are_found_in_any() {
        assert_eq!(name(Lang::En, "SG"), Some("Singapore"));
        assert_eq!(name(Lang::ZhCn, "SG"), Some("新加坡"));
        assert_eq!(name(Lang::ZhCn, "cn"), Some("中国"));
        assert_eq!(name(Lang::ZhCn, "DE"), Some("德国"));
        assert_eq!(list(Lang::ZhCn).len(), list(Lang::En).len());
        for typed in ["SG", "sg", "Singapore", " singapore ", "新加坡"] {
            assert_eq!(code_of(typed), Some("SG"), "{typed}");
        }
        assert_eq!(code_of("亚特兰蒂斯"), None);
        assert_eq!(code_of(""), None);
    }
}
