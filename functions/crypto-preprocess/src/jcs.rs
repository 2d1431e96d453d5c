//! RFC 8785 JSON Canonicalization Scheme: equal documents serialize to the
//! same bytes, so they hash equal (dedup, audit, signatures). Also a strict
//! parser for documents given as JSON text, which refuses what RFC 8785
//! §3.1 (I-JSON) leaves without a canonical form: duplicate object keys.

use std::collections::HashSet;
use std::fmt::{self, Write};

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Why a JSON text was refused by [`parse_strict`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StrictJsonError {
    /// An object has the same key twice.
    #[error("an object has the same key twice")]
    DuplicateKey,
    /// The text is not JSON.
    #[error("the text is not valid JSON (line {line}, column {column})")]
    Syntax {
        /// The line of the error (1-based).
        line: usize,
        /// The column of the error (1-based).
        column: usize,
    },
}

/// Parses JSON text, refusing duplicate object keys (which serde_json,
/// like most parsers, silently resolves to the last value).
pub fn parse_strict(text: &str) -> Result<Value, StrictJsonError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = StrictValue
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    parsed.map_err(|e| {
        if e.to_string().starts_with(DUPLICATE) {
            StrictJsonError::DuplicateKey
        } else {
            StrictJsonError::Syntax {
                line: e.line(),
                column: e.column(),
            }
        }
    })
}

/// Whether JSON text (already known to parse) has an object with the same
/// key twice anywhere; text that does not parse has none.
pub fn has_duplicate_keys(text: &str) -> bool {
    let mut de = serde_json::Deserializer::from_str(text);
    // Walks the text without building a value; only the keys are kept.
    matches!(UniqueKeys.deserialize(&mut de), Err(e) if e.to_string().starts_with(DUPLICATE))
}

/// Checks the keys of every object, building nothing else.
#[derive(Clone, Copy)]
struct UniqueKeys;

impl<'de> DeserializeSeed<'de> for UniqueKeys {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UniqueKeys {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(UniqueKeys)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = access.next_key::<String>()? {
            if !seen.insert(key) {
                return Err(de::Error::custom(DUPLICATE));
            }
            access.next_value_seed(UniqueKeys)?;
        }
        Ok(())
    }
}

/// The custom error message a duplicate raises inside serde.
const DUPLICATE: &str = "duplicate object key";

/// Builds a [`Value`] like serde_json does, checking each object's keys.
#[derive(Clone, Copy)]
struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number outside IEEE 754 double range"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        let mut seen = HashSet::new();
        while let Some(key) = access.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(DUPLICATE));
            }
            let value = access.next_value_seed(StrictValue)?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

/// The canonical form of `value`.
pub fn canonicalize(value: &Value) -> Result<String, NonFiniteNumber> {
    let mut out = String::new();
    write_value(value, &mut out)?;
    Ok(out)
}

/// A number JSON cannot carry (NaN or infinite) — serde_json never produces
/// one, but arbitrary-precision input could overflow to it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the document holds a number outside IEEE 754 double range")]
pub struct NonFiniteNumber;

fn write_value(value: &Value, out: &mut String) -> Result<(), NonFiniteNumber> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            // RFC 8785 §3.2.2.3: every number is an IEEE 754 double.
            let f = n.as_f64().ok_or(NonFiniteNumber)?;
            write_number(f, out)?;
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            // §3.2.3: properties sorted by their UTF-16 code units.
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_value(item, out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// §3.2.2.2: only `"`, `\` and control characters are escaped.
fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if c < ' ' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// ECMAScript `Number.prototype.toString` for doubles (ECMA-262 §7.1.12.1),
/// from the shortest round-trip digits Rust prints with `{:e}`.
fn write_number(f: f64, out: &mut String) -> Result<(), NonFiniteNumber> {
    if !f.is_finite() {
        return Err(NonFiniteNumber);
    }
    if f == 0.0 {
        out.push('0');
        return Ok(());
    }
    if f < 0.0 {
        out.push('-');
    }
    let sci = format!("{:e}", f.abs());
    let (mantissa, exponent) = sci.split_once('e').ok_or(NonFiniteNumber)?;
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i32 = exponent.parse().map_err(|_| NonFiniteNumber)?;
    let k = digits.len() as i32;
    let n = exponent + 1; // the decimal point sits after `n` digits
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        out.push_str(&digits[..n as usize]);
        out.push('.');
        out.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-n) as usize));
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let e = n - 1;
        let _ = write!(out, "e{}{}", if e >= 0 { "+" } else { "-" }, e.abs());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(text: &str) -> String {
        canonicalize(&serde_json::from_str(text).unwrap()).unwrap()
    }

    #[test]
    fn rfc8785_section_3_2_2_example() {
        let input = r#"{
            "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
            "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
            "literals": [null, true, false]
        }"#;
        assert_eq!(
            canon(input),
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
    }

    #[test]
    fn rfc8785_section_3_2_3_sorting() {
        let input = r#"{"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
            "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"}"#;
        let keys: Vec<String> = canon(input)
            .trim_matches(|c| c == '{' || c == '}')
            .split(',')
            .map(|kv| kv.split(':').next().unwrap().to_owned())
            .collect();
        assert_eq!(
            keys,
            [
                "\"\\r\"",
                "\"1\"",
                "\"\u{80}\"",
                "\"\u{f6}\"",
                "\"\u{20ac}\"",
                "\"\u{1f600}\"",
                "\"\u{fb33}\""
            ]
        );
    }

    #[test]
    fn rfc8785_appendix_b_numbers() {
        let cases = [
            (0.0, "0"),
            (-0.0, "0"),
            (5e-324, "5e-324"),
            (-5e-324, "-5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (9007199254740992.0, "9007199254740992"),
            (9007199254740994.0, "9007199254740994"),
            (1e21, "1e+21"),
            (9.999999999999997e22, "9.999999999999997e+22"),
            (1e23, "1e+23"),
            (295147905179352830000.0, "295147905179352830000"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (333333333.3333332, "333333333.3333332"),
            (-1e-7, "-1e-7"),
            (4.35, "4.35"),
            (0.002, "0.002"),
        ];
        for (f, expected) in cases {
            let mut out = String::new();
            write_number(f, &mut out).unwrap();
            assert_eq!(out, expected, "{f:e}");
        }
    }

    #[test]
    fn strict_parsing_refuses_duplicate_keys_at_any_depth() {
        for text in [
            r#"{"a":1,"a":2}"#,
            r#"{"a":1,"b":{"c":1,"c":1}}"#,
            r#"[{"x":[{"k":null,"k":null}]}]"#,
            // The same key, escaped differently: still the same key.
            r#"{"\u00e9":1,"é":2}"#,
        ] {
            assert_eq!(
                parse_strict(text),
                Err(StrictJsonError::DuplicateKey),
                "{text}"
            );
        }
        for text in [
            r#"{"a":1,"A":2,"b":{"a":3}}"#,
            r#"[{"a":1},{"a":2}]"#,
            "1e21",
            "\"x\"",
        ] {
            let strict = parse_strict(text).unwrap();
            assert_eq!(
                strict,
                serde_json::from_str::<Value>(text).unwrap(),
                "{text}"
            );
        }
        assert!(matches!(
            parse_strict(r#"{"a":1} trailing"#),
            Err(StrictJsonError::Syntax { .. })
        ));
        assert!(matches!(
            parse_strict("[1,"),
            Err(StrictJsonError::Syntax { .. })
        ));
        for text in [
            r#"{"a":1,"a":2}"#,
            r#"{"t":"x","input":{"json":[{"k":1,"k":1}]}}"#,
        ] {
            assert!(has_duplicate_keys(text), "{text}");
        }
        for text in [
            r#"{"a":{"a":{"a":1}},"b":[{"a":1},{"a":1}]}"#,
            "not json",
            r#""{\"a\":1,\"a\":2}""#,
        ] {
            assert!(!has_duplicate_keys(text), "{text}");
        }
        // Nesting beyond serde_json's recursion limit is an error, not a crash.
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(matches!(
            parse_strict(&deep),
            Err(StrictJsonError::Syntax { .. })
        ));
    }

    #[test]
    fn equal_documents_are_equal_bytes() {
        assert_eq!(
            canon(r#"{"b":[1.0,2],"a":{"y":null,"x":"é"}}"#),
            canon(r#"{ "a": {"x": "\u00e9", "y": null}, "b": [1, 2.00] }"#)
        );
    }
}
