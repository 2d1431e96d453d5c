//! serde's `rename_all` rules, so that the schema names a field or variant
//! exactly as serde reads and writes it.

use syn::{Error, LitStr};

/// One of serde's `rename_all` rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RenameRule {
    Lower,
    Upper,
    Pascal,
    Camel,
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
}

impl RenameRule {
    /// Parses the rule's name as serde spells it.
    pub(crate) fn parse(lit: &LitStr) -> syn::Result<Self> {
        Ok(match lit.value().as_str() {
            "lowercase" => Self::Lower,
            "UPPERCASE" => Self::Upper,
            "PascalCase" => Self::Pascal,
            "camelCase" => Self::Camel,
            "snake_case" => Self::Snake,
            "SCREAMING_SNAKE_CASE" => Self::ScreamingSnake,
            "kebab-case" => Self::Kebab,
            "SCREAMING-KEBAB-CASE" => Self::ScreamingKebab,
            other => {
                return Err(Error::new(
                    lit.span(),
                    format!("unknown rename_all rule `{other}`"),
                ));
            }
        })
    }

    /// A variant name (written in PascalCase) under this rule.
    pub(crate) fn variant(self, name: &str) -> String {
        match self {
            Self::Pascal => name.to_owned(),
            Self::Lower => name.to_ascii_lowercase(),
            Self::Upper => name.to_ascii_uppercase(),
            Self::Camel => {
                let mut chars = name.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_ascii_lowercase().to_string() + chars.as_str()
                })
            }
            Self::Snake => {
                let mut out = String::new();
                for (i, ch) in name.char_indices() {
                    if i > 0 && ch.is_uppercase() {
                        out.push('_');
                    }
                    out.push(ch.to_ascii_lowercase());
                }
                out
            }
            Self::ScreamingSnake => Self::Snake.variant(name).to_ascii_uppercase(),
            Self::Kebab => Self::Snake.variant(name).replace('_', "-"),
            Self::ScreamingKebab => Self::ScreamingSnake.variant(name).replace('_', "-"),
        }
    }

    /// A field name (written in snake_case) under this rule.
    pub(crate) fn field(self, name: &str) -> String {
        match self {
            Self::Lower | Self::Snake => name.to_owned(),
            Self::Upper | Self::ScreamingSnake => name.to_ascii_uppercase(),
            Self::Pascal => {
                let mut out = String::new();
                let mut capitalize = true;
                for ch in name.chars() {
                    if ch == '_' {
                        capitalize = true;
                    } else if capitalize {
                        out.push(ch.to_ascii_uppercase());
                        capitalize = false;
                    } else {
                        out.push(ch);
                    }
                }
                out
            }
            Self::Camel => {
                let pascal = Self::Pascal.field(name);
                let mut chars = pascal.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_ascii_lowercase().to_string() + chars.as_str()
                })
            }
            Self::Kebab => name.replace('_', "-"),
            Self::ScreamingKebab => Self::ScreamingSnake.field(name).replace('_', "-"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RenameRule::*;
    use proptest::prelude::*;

    /// Words as serde sees them in a PascalCase variant or snake_case field.
    fn words() -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec("[a-z][a-z0-9]{0,6}", 1..5)
    }

    fn capitalized(word: &str) -> String {
        let mut chars = word.chars();
        chars.next().map_or_else(String::new, |c| {
            c.to_ascii_uppercase().to_string() + chars.as_str()
        })
    }

    proptest! {
        /// Each rule renders the words of any name the way its name says.
        #[test]
        fn every_rule_spells_the_words_of_any_name(words in words()) {
            let field = words.join("_");
            let upper = field.to_ascii_uppercase();
            let pascal: String = words.iter().map(|w| capitalized(w)).collect();
            let camel = words[0].clone() + &words[1..].iter().map(|w| capitalized(w)).collect::<String>();
            prop_assert_eq!(Snake.field(&field), field.clone());
            prop_assert_eq!(ScreamingSnake.field(&field), upper.clone());
            prop_assert_eq!(Kebab.field(&field), field.replace('_', "-"));
            prop_assert_eq!(ScreamingKebab.field(&field), upper.replace('_', "-"));
            prop_assert_eq!(Pascal.field(&field), pascal.clone());
            prop_assert_eq!(Camel.field(&field), camel.clone());
            prop_assert_eq!(Lower.field(&field), field.clone());
            // Variants are written in PascalCase; digits start no new word.
            if words.iter().all(|w| w.chars().all(|c| c.is_ascii_lowercase())) {
                prop_assert_eq!(Snake.variant(&pascal), field.clone());
                prop_assert_eq!(ScreamingSnake.variant(&pascal), upper.clone());
                prop_assert_eq!(Kebab.variant(&pascal), field.replace('_', "-"));
                prop_assert_eq!(Camel.variant(&pascal), camel);
                prop_assert_eq!(Lower.variant(&pascal), pascal.to_ascii_lowercase());
                prop_assert_eq!(Upper.variant(&pascal), pascal.to_ascii_uppercase());
                prop_assert_eq!(Pascal.variant(&pascal), pascal);
            }
        }
    }

    #[test]
    fn rules_match_serde() {
        assert_eq!(Snake.variant("InProgress"), "in_progress");
        assert_eq!(Kebab.variant("InProgress"), "in-progress");
        assert_eq!(ScreamingSnake.variant("InProgress"), "IN_PROGRESS");
        assert_eq!(Camel.variant("InProgress"), "inProgress");
        assert_eq!(Lower.variant("InProgress"), "inprogress");
        assert_eq!(Camel.field("ticket_id"), "ticketId");
        assert_eq!(Pascal.field("ticket_id"), "TicketId");
        assert_eq!(ScreamingKebab.field("ticket_id"), "TICKET-ID");
        assert_eq!(Snake.field("ticket_id"), "ticket_id");
    }
}
