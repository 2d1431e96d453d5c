//! Applying compiled rules to a received value, read the way the decoder
//! reads it (strings as numbers, `[a, b]` as lists, JSON text as objects),
//! and saying which rule it breaks in words a model can act on.

use std::collections::HashSet;

use serde_json::Value;

use super::compile::{ArrayRules, Bound, Node, NodeId, NumberRules, Rules, StringRules, Types};
use crate::decode::{
    DecodeError, DecodeErrorKind, MAX_QUOTED_CHARS, PathSegment, elements_of, number_of, object_of,
    quote, text_of, truncate,
};

/// At most this many allowed values are listed in a message.
const MAX_LISTED_VALUES: usize = 12;

/// References followed to learn a branch's type (cycles stop here).
const MAX_REFERENCE_HOPS: usize = 8;

type Checked = Result<(), DecodeError>;

/// Where a value sits, borrowed on the stack while checking: the path is
/// only built (allocated) for a value that breaks a rule.
#[derive(Clone, Copy)]
pub(crate) enum Trail<'a> {
    Root,
    Field(&'a str, &'a Trail<'a>),
    Index(usize, &'a Trail<'a>),
}

impl Trail<'_> {
    fn to_path(self) -> Vec<PathSegment> {
        let mut path = Vec::new();
        let mut at = self;
        loop {
            match at {
                Trail::Root => break,
                Trail::Field(name, up) => {
                    // Map keys come from the caller: quoted back shortened.
                    path.push(PathSegment::Field(truncate(name, MAX_QUOTED_CHARS)));
                    at = *up;
                }
                Trail::Index(i, up) => {
                    path.push(PathSegment::Index(i));
                    at = *up;
                }
            }
        }
        path.reverse();
        path
    }
}

impl Rules {
    /// Checks `value` against node `id`; `path` is where `value` sits.
    pub(crate) fn check(&self, id: NodeId, value: &Value, path: Trail<'_>) -> Checked {
        let node = &self.nodes[id];
        // A value of the wrong type (or a null) is the decoder's to report.
        if !node.active || value.is_null() || !node.types.is_none_or(|t| admits(t, value)) {
            return Ok(());
        }
        if let Some(target) = node.reference {
            self.check(target, value, path)?;
        }
        for branch in &node.all_of {
            self.check(*branch, value, path)?;
        }
        self.check_any_of(node, value, path)?;
        let own = || -> Checked {
            if let Some(allowed) = &node.allowed {
                check_allowed(allowed, value, path)?;
            }
            if let Some(rules) = &node.number {
                check_number(rules, value, path)?;
            }
            if let Some(rules) = &node.string {
                check_string(rules, value, path)?;
            }
            if let Some(rules) = &node.array {
                self.check_array(rules, value, path)?;
            }
            Ok(())
        };
        own().map_err(|e| if node.secret { hidden(e, value) } else { e })?;
        if let Some(rules) = &node.object
            && let Some(map) = object_of(value)
        {
            for (name, child) in &rules.properties {
                if let Some(v) = map.get(name) {
                    self.check_within(*child, v, Trail::Field(name, &path))?;
                }
            }
            if let Some(additional) = rules.additional {
                for (name, v) in map.iter() {
                    if !rules.properties.iter().any(|(known, _)| known == name) {
                        self.check_within(additional, v, Trail::Field(name, &path))?;
                    }
                }
            }
        }
        Ok(())
    }

    fn check_within(&self, id: NodeId, value: &Value, path: Trail<'_>) -> Checked {
        if !self.nodes[id].active {
            return Ok(());
        }
        self.check(id, value, path)
    }

    /// Passes when one branch the value's type fits passes; otherwise the
    /// first such branch's complaint. No fitting branch: the decoder's case.
    fn check_any_of(&self, node: &Node, value: &Value, path: Trail<'_>) -> Checked {
        let mut first = None;
        for branch in &node.any_of {
            if !self.branch_admits(*branch, value) {
                continue;
            }
            match self.check(*branch, value, path) {
                Ok(()) => return Ok(()),
                Err(e) => {
                    first.get_or_insert(e);
                }
            }
        }
        first.map_or(Ok(()), Err)
    }

    fn branch_admits(&self, mut id: NodeId, value: &Value) -> bool {
        for _ in 0..MAX_REFERENCE_HOPS {
            let node = &self.nodes[id];
            if let Some(types) = node.types {
                return admits(types, value);
            }
            match node.reference {
                Some(next) => id = next,
                None => return true,
            }
        }
        true
    }

    fn check_array(&self, rules: &ArrayRules, value: &Value, path: Trail<'_>) -> Checked {
        let Some(items) = elements_of(value) else {
            return Ok(());
        };
        let n = items.len() as u64;
        let too_few = rules.min_items.is_some_and(|min| n < min);
        let too_many = rules.max_items.is_some_and(|max| n > max);
        if too_few || too_many {
            let expected = match (rules.min_items, rules.max_items) {
                (Some(min), Some(max)) => format!("a list of {min} to {max} items"),
                (Some(min), None) => format!("a list of at least {}", items_word(min)),
                (None, Some(max)) => format!("a list of at most {}", items_word(max)),
                (None, None) => String::new(),
            };
            let rule = if too_few { "minItems" } else { "maxItems" };
            return Err(violation(path, rule, expected, items_word(n)));
        }
        if rules.unique {
            let mut seen = HashSet::with_capacity(items.len());
            for item in items.iter() {
                let key = match item {
                    Value::String(s) => s.trim().to_owned(),
                    other => other.to_string(),
                };
                if !seen.insert(key) {
                    return Err(violation(
                        path,
                        "uniqueItems",
                        "a list without repeated items".to_owned(),
                        format!("{} more than once", quote(item)),
                    ));
                }
            }
        }
        if let Some(child) = rules.items {
            for (i, item) in items.iter().enumerate() {
                self.check_within(child, item, Trail::Index(i, &path))?;
            }
        }
        Ok(())
    }
}

/// The number `value` spells, for the rules: what the decoder reads, and
/// also a number beyond `f64` (`"1e400"`, or `1e400` in a payload, which
/// is read as its text), so that it breaks the documented bound instead of
/// being refused in the Rust type's words.
fn rule_number(value: &Value) -> Option<f64> {
    number_of(value).or_else(|| match value {
        Value::String(s) => {
            let s = s.trim();
            // Not `inf`, `infinity` or `nan`, which `f64` parses too.
            (s.bytes().any(|b| b.is_ascii_digit())
                && s.bytes()
                    .all(|b| matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')))
            .then(|| s.parse::<f64>().ok())
            .flatten()
            .filter(|f| f.is_infinite())
        }
        _ => None,
    })
}

/// Whether `value` can be read as one of `types` (the decoder's leniency).
fn admits(types: Types, value: &Value) -> bool {
    let number = || rule_number(value);
    (types.has(Types::NULL) && value.is_null())
        || (types.has(Types::BOOLEAN)
            && match value {
                Value::Bool(_) => true,
                Value::String(s) => {
                    let s = s.trim();
                    s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
                }
                _ => false,
            })
        || (types.has(Types::INTEGER)
            && number().is_some_and(|f| f.is_infinite() || f.fract() == 0.0))
        || (types.has(Types::NUMBER) && number().is_some())
        || (types.has(Types::STRING) && text_of(value).is_some())
        || (types.has(Types::ARRAY) && !value.is_null())
        || (types.has(Types::OBJECT) && object_of(value).is_some())
        || types == Types::default()
}

/// `error` without the secret value it quotes: only its length is said.
fn hidden(mut error: DecodeError, value: &Value) -> DecodeError {
    if let DecodeErrorKind::Violation { received, .. } = &mut error.kind {
        *received = match text_of(value) {
            Some(text) => format!(
                "a hidden value ({})",
                characters(text.chars().count() as u64)
            ),
            None => "a hidden value".to_owned(),
        };
    }
    error
}

fn violation(
    path: Trail<'_>,
    rule: &'static str,
    expected: String,
    received: String,
) -> DecodeError {
    DecodeError::violation(path.to_path(), rule, expected, received)
}

fn check_allowed(allowed: &[Value], value: &Value, path: Trail<'_>) -> Checked {
    let same = |a: &Value| match a {
        Value::String(a) => text_of(value).is_some_and(|t| t.trim() == a),
        Value::Number(a) => number_of(value).is_some_and(|f| Some(f) == a.as_f64()),
        Value::Bool(a) => match value {
            Value::Bool(b) => a == b,
            Value::String(s) => s
                .trim()
                .eq_ignore_ascii_case(if *a { "true" } else { "false" }),
            _ => false,
        },
        other => other == value,
    };
    if allowed.iter().any(same) {
        return Ok(());
    }
    let mut listed: Vec<String> = allowed
        .iter()
        .take(MAX_LISTED_VALUES)
        .map(|a| match a {
            Value::String(s) => truncate(s, MAX_QUOTED_CHARS),
            other => truncate(&other.to_string(), MAX_QUOTED_CHARS),
        })
        .collect();
    if allowed.len() > MAX_LISTED_VALUES {
        listed.push(format!("… ({} allowed values)", allowed.len()));
    }
    Err(violation(
        path,
        "enum",
        format!("one of {}", listed.join(", ")),
        quote(value),
    ))
}

fn check_number(rules: &NumberRules, value: &Value, path: Trail<'_>) -> Checked {
    let Some(x) = rule_number(value) else {
        return Ok(());
    };
    let below = rules
        .min
        .as_ref()
        .is_some_and(|b| x < b.value || (b.exclusive && x == b.value));
    let above = rules
        .max
        .as_ref()
        .is_some_and(|b| x > b.value || (b.exclusive && x == b.value));
    if below || above {
        let rule = match (below, &rules.min, &rules.max) {
            (true, Some(b), _) if b.exclusive => "exclusiveMinimum",
            (true, _, _) => "minimum",
            (false, _, Some(b)) if b.exclusive => "exclusiveMaximum",
            (false, _, _) => "maximum",
        };
        return Err(violation(path, rule, range_words(rules), quote(value)));
    }
    if let Some((m, text)) = &rules.multiple_of {
        let ratio = x / m;
        // Tolerates binary rounding (0.3 is a multiple of 0.1).
        if (ratio - ratio.round()).abs() > 1e-9 * ratio.abs().max(1.0) {
            return Err(violation(
                path,
                "multipleOf",
                format!("a multiple of {text}"),
                quote(value),
            ));
        }
    }
    Ok(())
}

/// The documented range in words: "from 1 to 100", "at least 1",
/// "greater than 0 and at most 10".
fn range_words(rules: &NumberRules) -> String {
    let low = |b: &Bound| {
        if b.exclusive {
            format!("greater than {}", b.text)
        } else {
            format!("at least {}", b.text)
        }
    };
    let high = |b: &Bound| {
        if b.exclusive {
            format!("less than {}", b.text)
        } else {
            format!("at most {}", b.text)
        }
    };
    match (&rules.min, &rules.max) {
        (Some(min), Some(max)) if !min.exclusive && !max.exclusive => {
            format!("from {} to {}", min.text, max.text)
        }
        (Some(min), Some(max)) => format!("{} and {}", low(min), high(max)),
        (Some(min), None) => low(min),
        (None, Some(max)) => high(max),
        (None, None) => String::new(),
    }
}

fn check_string(rules: &StringRules, value: &Value, path: Trail<'_>) -> Checked {
    let Some(text) = text_of(value) else {
        return Ok(());
    };
    if rules.min_len.is_some() || rules.max_len.is_some() {
        let n = text.chars().count() as u64;
        let too_short = rules.min_len.is_some_and(|min| n < min);
        let too_long = rules.max_len.is_some_and(|max| n > max);
        if too_short || too_long {
            let expected = match (rules.min_len, rules.max_len) {
                (Some(min), Some(max)) => format!("{min} to {max} characters long"),
                (Some(min), None) => format!("at least {} long", characters(min)),
                (None, Some(max)) => format!("at most {} long", characters(max)),
                (None, None) => String::new(),
            };
            let quoted = quote(&Value::String(text.clone().into_owned()));
            // A long value's quote already says how long it is.
            let received = if n as usize > MAX_QUOTED_CHARS {
                quoted
            } else {
                format!("{quoted} ({})", characters(n))
            };
            let rule = if too_short { "minLength" } else { "maxLength" };
            return Err(violation(path, rule, expected, received));
        }
    }
    if let Some((regex, pattern)) = &rules.pattern
        && !regex.is_match(&text)
    {
        return Err(violation(
            path,
            "pattern",
            format!(
                "text matching the pattern {}",
                truncate(pattern, MAX_QUOTED_CHARS)
            ),
            quote(value),
        ));
    }
    Ok(())
}

fn characters(n: u64) -> String {
    if n == 1 {
        "1 character".to_owned()
    } else {
        format!("{n} characters")
    }
}

fn items_word(n: u64) -> String {
    if n == 1 {
        "1 item".to_owned()
    } else {
        format!("{n} items")
    }
}
