//! RFC 8785 JSON Canonicalization Scheme: equal documents serialize to the
//! same bytes, so they hash equal (dedup, audit, signatures).

use std::fmt::Write;

use serde_json::Value;

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
    fn equal_documents_are_equal_bytes() {
        assert_eq!(
            canon(r#"{"b":[1.0,2],"a":{"y":null,"x":"é"}}"#),
            canon(r#"{ "a": {"x": "\u00e9", "y": null}, "b": [1, 2.00] }"#)
        );
    }
}
