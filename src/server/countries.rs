//! Country and region names in each language the portal speaks: English as ISO 3166 lists them
//! (`celes`, the names the domain's `CountryCode::parse` accepts), every other language from the
//! Unicode CLDR (`icu_experimental`'s region display names). Codes stay ISO alpha-2 everywhere;
//! names are only shown and searched.

use crate::domain::countries;
use crate::i18n::Lang;
use icu_experimental::displaynames::multi::RegionDisplayNames;
use icu_experimental::displaynames::DisplayNamesOptions;
use icu_locale_core::subtags::Region;
use std::collections::HashMap;
use std::sync::OnceLock;

/// One language's names, made once: the list by name, and indexes by code and by name.
struct Names {
    /// (alpha-2, name), sorted by name.
    list: Vec<(&'static str, String)>,
    by_code: HashMap<&'static str, usize>,
    /// Lower-cased name → alpha-2.
    by_name: HashMap<String, &'static str>,
}

fn names(lang: Lang) -> &'static Names {
    static NAMES: [OnceLock<Names>; Lang::ALL.len()] = [const { OnceLock::new() }; Lang::ALL.len()];
    NAMES[lang.index()].get_or_init(|| {
        let cldr = match lang {
            Lang::En => None,
            Lang::ZhCn => RegionDisplayNames::try_new(
                icu_locale_core::locale!("zh").into(),
                DisplayNamesOptions::default(),
            )
            .inspect_err(|e| tracing::error!(error = %e, "CLDR region names"))
            .ok(),
        };
        let mut list: Vec<(&'static str, String)> = countries()
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
        list.sort_by(|a, b| a.1.cmp(&b.1));
        let by_code = list.iter().enumerate().map(|(i, (c, _))| (*c, i)).collect();
        let by_name = list.iter().map(|(c, n)| (n.to_lowercase(), *c)).collect();
        Names {
            list,
            by_code,
            by_name,
        }
    })
}

/// (alpha-2, name) of every country and region in `lang`, sorted by name.
pub fn list(lang: Lang) -> &'static [(&'static str, String)] {
    &names(lang).list
}

/// The name of `code` in `lang`, if it is a country's alpha-2 code.
pub fn name(lang: Lang, code: &str) -> Option<&'static str> {
    let names = names(lang);
    let code = code.trim().to_ascii_uppercase();
    names
        .by_code
        .get(code.as_str())
        .map(|i| names.list[*i].1.as_str())
}

/// The alpha-2 code of what was typed into a Country/Region field: a code, or a name in any of
/// the portal's languages (any case, spaces around ignored).
pub fn code_of(typed: &str) -> Option<&'static str> {
    let typed = typed.trim();
    if typed.is_empty() {
        return None;
    }
    let english = names(Lang::En);
    if typed.len() == 2 {
        let code = typed.to_ascii_uppercase();
        if let Some(i) = english.by_code.get(code.as_str()) {
            return Some(english.list[*i].0);
        }
    }
    let lower = typed.to_lowercase();
    Lang::ALL
        .iter()
        .find_map(|lang| names(*lang).by_name.get(&lower).copied())
}

/// Every name to choose from, first in `reader`'s language, then each other language's names
/// not already listed (made once per reader's language).
pub fn choices(reader: Lang) -> &'static [String] {
    static CHOICES: [OnceLock<Vec<String>>; Lang::ALL.len()] =
        [const { OnceLock::new() }; Lang::ALL.len()];
    CHOICES[reader.index()].get_or_init(|| {
        let mut seen = std::collections::HashSet::new();
        std::iter::once(reader)
            .chain(Lang::ALL.into_iter().filter(|l| *l != reader))
            .flat_map(|lang| list(lang).iter().map(|(_, n)| n.clone()))
            .filter(|n| seen.insert(n.clone()))
            .collect()
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
        let both = choices(Lang::ZhCn);
        assert_eq!(
            both.iter()
                .position(|n| n == "新加坡")
                .map(|i| i < list(Lang::ZhCn).len()),
            Some(true)
        );
        assert!(
            both.iter().any(|n| n == "Singapore"),
            "English names are found too"
        );
        assert_eq!(code_of(""), None);
    }
}
