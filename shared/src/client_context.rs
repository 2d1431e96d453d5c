//! Reading the `Lambda-Runtime-Client-Context` (and
//! `Lambda-Runtime-Cognito-Identity`) header whatever it holds.
//!
//! `lambda_runtime`'s `Context::new` parses the header as
//! `ClientContext` (string-to-string maps, every `client` field a string)
//! and fails the whole invocation on anything else: an object of
//! propagated headers in `custom`, `"client": null`, raw UTF-8 bytes
//! (`HeaderValue::to_str` accepts visible ASCII only). actionkit never
//! hands it the header: it builds the `ClientContext` itself, so no shape
//! loses the invocation and the Gateway tool name is read whenever it is
//! there.
//!
//! The header is not parsed as one JSON document either: one value
//! `serde_json` refuses anywhere (a lone surrogate escape such as `\ud800`
//! in a propagated header, nesting deeper than its recursion limit, a
//! header cut short by a proxy) would lose every other part with it. A
//! lenient scanner reads the top-level object and its sections member by
//! member instead; each member value is taken as text on its own, and a
//! malformed or truncated tail only loses the members after it.

use std::borrow::Cow;

use base64::Engine as _;
use serde_json::{Map, Value};

/// The `ClientApplication` fields, as `lambda_runtime` names them in JSON,
/// with the snake-case spellings it accepts too.
const CLIENT_FIELDS: [(&str, &str); 5] = [
    ("installationId", "installation_id"),
    ("appTitle", "app_title"),
    ("appVersionName", "app_version_name"),
    ("appVersionCode", "app_version_code"),
    ("appPackageName", "app_package_name"),
];

/// The sections of a client context, each a string map.
const SECTIONS: [&str; 3] = ["client", "custom", "environment"];

/// The Cognito identity's two fields, with the spellings
/// `lambda_runtime` accepts for each.
const IDENTITY_FIELDS: [(&str, [&str; 3]); 2] = [
    (
        "identityId",
        ["identityId", "cognitoIdentityId", "identity_id"],
    ),
    (
        "identityPoolId",
        [
            "identityPoolId",
            "cognitoIdentityPoolId",
            "identity_pool_id",
        ],
    ),
];

/// A client context read as far as it could be: what was readable, and the
/// names (never the values) of the parts that were not.
#[derive(Debug, Default)]
pub(crate) struct ReadClientContext {
    /// The context in exactly the shape `lambda_runtime`'s `ClientContext`
    /// deserializes (every value a string, every `client` field present),
    /// `None` when the header is absent, empty or no JSON object.
    /// (`ClientContext` itself is not exported, so it is reached through
    /// `serde_json::from_value` into `Context::client_context`.)
    pub(crate) context: Option<Value>,
    /// The parts that could not be read and were left out, as logged, e.g.
    /// `"client context custom"` (not an object) or `"client context"`
    /// (not a JSON object, plain or base64).
    pub(crate) unreadable: Vec<&'static str>,
}

/// Reads a client context header's bytes: JSON text (what the Runtime API
/// sends, raw UTF-8 included) or base64 of it (what `cargo lambda watch`
/// and the Invoke API's `ClientContext` parameter carry).
pub(crate) fn read_client_context(raw: &[u8]) -> ReadClientContext {
    let Some(text) = json_text(raw) else {
        return ReadClientContext::default();
    };
    let mut scan = Scan::new(&text);
    let mut sections: [Map<String, Value>; 3] = Default::default();
    let mut unreadable = Vec::new();
    let Some(complete) = scan.object(|scan, key| {
        let Some(i) = SECTIONS.iter().position(|s| *s == key) else {
            return scan.skip_value();
        };
        if scan.peek() == Some(b'{') {
            // Read in place, so that a header cut short inside `custom`
            // still yields the members before the cut.
            let mut map = Map::new();
            let complete = scan.object(|scan, key| {
                let start = scan.at;
                scan.skip_value()?;
                if let Some(text) = value_text(&scan.text[start..scan.at]) {
                    map.insert(key, Value::String(text));
                }
                Some(())
            });
            // A section given twice is merged, not replaced: a later copy
            // (or a `null`) cannot take the tool name away.
            sections[i].extend(map);
            return complete.filter(|done| *done).map(drop);
        }
        let start = scan.at;
        scan.skip_value()?;
        if &scan.text[start..scan.at] != "null" {
            unreadable.push(SECTION_PARTS[i]);
        }
        Some(())
    }) else {
        return ReadClientContext {
            context: None,
            unreadable: vec!["client context"],
        };
    };
    if !complete || !scan.rest_is_blank() {
        unreadable.push("client context tail");
    }
    let [mut given, custom, environment] = sections;
    let client: Map<String, Value> = CLIENT_FIELDS
        .iter()
        .map(|(camel, snake)| {
            let value = given
                .remove(*camel)
                .or_else(|| given.remove(*snake))
                .unwrap_or_else(|| Value::String(String::new()));
            ((*camel).to_owned(), value)
        })
        .collect();
    let mut context = Map::new();
    context.insert("client".into(), Value::Object(client));
    context.insert("custom".into(), Value::Object(custom));
    context.insert("environment".into(), Value::Object(environment));
    ReadClientContext {
        context: Some(Value::Object(context)),
        unreadable,
    }
}

/// How each section is named in the log when it is not an object.
const SECTION_PARTS: [&str; 3] = [
    "client context client",
    "client context custom",
    "client context environment",
];

/// Reads a `Lambda-Runtime-Cognito-Identity` header the same lenient way:
/// the identity in exactly the shape `lambda_runtime`'s `CognitoIdentity`
/// deserializes (both fields strings, a missing one empty), or `None` when
/// the header names neither field; and whether some of it was unreadable.
pub(crate) fn read_cognito_identity(raw: &[u8]) -> (Option<Value>, bool) {
    let Some(text) = json_text(raw) else {
        return (None, false);
    };
    let mut scan = Scan::new(&text);
    let mut found = Map::new();
    let complete = scan.object(|scan, key| {
        let start = scan.at;
        scan.skip_value()?;
        if let Some(text) = value_text(&scan.text[start..scan.at]) {
            found.insert(key, Value::String(text));
        }
        Some(())
    });
    let mut identity = Map::new();
    for (name, spellings) in IDENTITY_FIELDS {
        if let Some(v) = spellings.iter().find_map(|s| found.remove(*s)) {
            identity.insert(name.to_owned(), v);
        }
    }
    let clean = complete == Some(true) && scan.rest_is_blank();
    if identity.is_empty() {
        return (None, true);
    }
    for (name, _) in IDENTITY_FIELDS {
        identity
            .entry(name)
            .or_insert_with(|| Value::String(String::new()));
    }
    (Some(Value::Object(identity)), !clean)
}

/// The header's JSON text: trimmed of whitespace and a byte order mark,
/// decoded from base64 when it is not JSON text itself, and read as UTF-8
/// with replacement characters (a Latin-1 name in a propagated header must
/// not lose the tool name). `None` when there is nothing.
fn json_text(raw: &[u8]) -> Option<Cow<'_, str>> {
    let raw = trim(raw);
    if raw.is_empty() {
        return None;
    }
    if !matches!(raw[0], b'{' | b'[' | b'"') {
        // Base64 holds no spaces; some encoders wrap or pad with them.
        let packed: Vec<u8> = raw
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        let engines = [
            &base64::engine::general_purpose::STANDARD,
            &base64::engine::general_purpose::STANDARD_NO_PAD,
            &base64::engine::general_purpose::URL_SAFE,
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ];
        if let Some(bytes) = engines.iter().find_map(|e| e.decode(&packed).ok()) {
            let text = trim(&bytes);
            return Some(Cow::Owned(String::from_utf8_lossy(text).into_owned()));
        }
    }
    let text = String::from_utf8_lossy(raw);
    if text.starts_with('"') {
        // JSON text encoded once more as a JSON string.
        if let Some(inner) = Scan::new(&text).string() {
            let inner = inner.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
            if inner.starts_with('{') {
                return Some(Cow::Owned(inner.to_owned()));
            }
        }
    }
    Some(text)
}

/// `raw` without surrounding ASCII whitespace and a leading UTF-8 byte
/// order mark.
fn trim(raw: &[u8]) -> &[u8] {
    let raw = raw.trim_ascii();
    raw.strip_prefix(b"\xef\xbb\xbf".as_slice())
        .map_or(raw, <[u8]>::trim_ascii)
}

/// A member value as text: strings as they are (escapes decoded), `null`
/// left out, anything else (an object of propagated headers, a number) as
/// its compact JSON text, or as sent when `serde_json` refuses it.
fn value_text(raw: &str) -> Option<String> {
    if raw.starts_with('"') {
        return Scan::new(raw).string();
    }
    if raw == "null" {
        return None;
    }
    Some(
        serde_json::from_str::<Value>(raw)
            .map(|v| v.to_string())
            .unwrap_or_else(|_| raw.to_owned()),
    )
}

/// A lenient, non-recursive JSON scanner over one header's text.
struct Scan<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Scan<'a> {
    fn new(text: &'a str) -> Self {
        Self { text, at: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.at).copied()
    }

    fn blank(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.at += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        self.blank();
        let here = self.peek() == Some(b);
        if here {
            self.at += 1;
        }
        here
    }

    fn rest_is_blank(&mut self) -> bool {
        self.blank();
        self.at == self.text.len()
    }

    /// Reads an object member by member, `member` reading each value
    /// (`None` when it cannot). `None` when this is no object at all;
    /// `Some(false)` when it broke off (malformed or cut short) after the
    /// members read so far.
    fn object(&mut self, mut member: impl FnMut(&mut Self, String) -> Option<()>) -> Option<bool> {
        if !self.eat(b'{') {
            return None;
        }
        loop {
            if self.eat(b'}') {
                return Some(true);
            }
            self.blank();
            let Some(key) = self.string() else {
                return Some(false);
            };
            if !self.eat(b':') {
                return Some(false);
            }
            self.blank();
            if member(self, key).is_none() {
                return Some(false);
            }
            if self.eat(b',') {
                continue;
            }
            return Some(self.eat(b'}'));
        }
    }

    /// Steps over one value of any depth (without recursion); `None` when
    /// the text ends inside it or no value starts here.
    fn skip_value(&mut self) -> Option<()> {
        self.blank();
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' | b'[' => {
                let mut depth = 0_usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.skip_string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.at += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.at += 1;
                }
            }
            b',' | b'}' | b']' | b':' => None,
            _ => {
                // A scalar runs to the next delimiter; one the text ends in
                // may have been cut short.
                let rest = &self.bytes()[self.at..];
                let end = rest
                    .iter()
                    .position(|b| matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace())?;
                self.at += end;
                Some(())
            }
        }
    }

    fn skip_string(&mut self) -> Option<()> {
        self.at += 1;
        loop {
            match self.peek()? {
                b'\\' => self.at += 2,
                b'"' => {
                    self.at += 1;
                    return Some(());
                }
                _ => self.at += 1,
            }
        }
    }

    /// Reads a string, decoding its escapes: a lone surrogate becomes U+FFFD
    /// (where `serde_json` refuses the whole document), an unknown escape
    /// stands for its character. `None` when no string starts here or it is
    /// not closed.
    fn string(&mut self) -> Option<String> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let mut out = String::new();
        let mut chars = self.text.get(self.at + 1..)?.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.at += 1 + i + 1;
                    return Some(out);
                }
                '\\' => match chars.next()?.1 {
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'u' => {
                        let high = hex4(&mut chars)?;
                        let c = if (0xD800..0xDC00).contains(&high) {
                            // A pair only when a low surrogate escape follows.
                            let mut ahead = chars.clone();
                            let low = match (ahead.next(), ahead.next()) {
                                (Some((_, '\\')), Some((_, 'u'))) => hex4(&mut ahead),
                                _ => None,
                            };
                            match low {
                                Some(low) if (0xDC00..0xE000).contains(&low) => {
                                    chars = ahead;
                                    char::from_u32(
                                        0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00),
                                    )
                                }
                                _ => None,
                            }
                        } else {
                            char::from_u32(high)
                        };
                        out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
                    }
                    other => out.push(other),
                },
                c => out.push(c),
            }
        }
        None
    }
}

/// Four hex digits of a `\u` escape; `None` when the text ends first. A
/// character that is not a hex digit ends the escape unconsumed (it may be
/// the closing quote) and makes it U+FFFD.
fn hex4(chars: &mut std::str::CharIndices<'_>) -> Option<u32> {
    let mut n = 0_u32;
    for _ in 0..4 {
        let mut ahead = chars.clone();
        let (_, c) = ahead.next()?;
        let Some(digit) = c.to_digit(16) else {
            return Some(0xFFFD);
        };
        *chars = ahead;
        n = n * 16 + digit;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// Through `Context`'s own field, as the runtime loop does.
    fn read_bytes(raw: &[u8]) -> (Option<lambda_runtime::Context>, Vec<&'static str>) {
        let r = read_client_context(raw);
        let context = r.context.map(|value| {
            let mut context = lambda_runtime::Context::default();
            context.client_context = serde_json::from_value(value).unwrap();
            context
        });
        (context, r.unreadable)
    }

    fn read(raw: &str) -> (Option<lambda_runtime::Context>, Vec<&'static str>) {
        read_bytes(raw.as_bytes())
    }

    fn custom_of(raw: &[u8]) -> std::collections::HashMap<String, String> {
        read_bytes(raw)
            .0
            .and_then(|c| c.client_context)
            .map(|c| c.custom)
            .unwrap_or_default()
    }

    const TOOL: &str = "bedrockAgentCoreToolName";

    #[test]
    fn nulls_partial_clients_and_unicode_are_read() {
        let (context, unreadable) = read(
            r#"{"client": null, "environment": null, "custom": {"bedrockAgentCoreToolName": "t___x",
                "bedrockAgentCorePropagatedHeaders": {"x-user": "Zoë Müller"}, "gone": null}}"#,
        );
        assert!(unreadable.is_empty());
        let c = context.unwrap().client_context.unwrap();
        assert_eq!(c.custom[TOOL], "t___x");
        let headers: Value =
            serde_json::from_str(&c.custom["bedrockAgentCorePropagatedHeaders"]).unwrap();
        assert_eq!(headers["x-user"], "Zoë Müller");
        assert!(!c.custom.contains_key("gone"));
        let (partial, _) = read(r#"{"client": {"appTitle": "ü", "app_version_code": 7}}"#);
        let client = partial.unwrap().client_context.unwrap().client;
        assert_eq!(client.app_title, "ü");
        assert_eq!(client.app_version_code, "7");
        assert_eq!(client.installation_id, "");
    }

    #[test]
    fn base64_whitespace_and_garbage() {
        let plain = r#"{"custom":{"k":"Zoë"}}"#;
        let engine = base64::engine::general_purpose::STANDARD;
        for raw in [
            engine.encode(plain),
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(plain),
            base64::engine::general_purpose::URL_SAFE.encode(plain),
            format!("  {plain} "),
            format!("\u{feff}{plain}"),
            engine.encode(format!("\u{feff}{plain}\n")),
            serde_json::to_string(plain).unwrap(),
        ] {
            let (context, _) = read(&raw);
            assert_eq!(
                context.unwrap().client_context.unwrap().custom["k"],
                "Zoë",
                "{raw}"
            );
        }
        for raw in ["not json", "[1]", "\"s\"", "bm90IGpzb24=", "\u{feff}", "{"] {
            let (context, unreadable) = read(raw);
            if raw == "{" {
                assert!(context.is_some());
                assert_eq!(unreadable, ["client context tail"]);
                continue;
            }
            assert_eq!(
                unreadable.is_empty(),
                raw == "\u{feff}",
                "{raw}: {unreadable:?}"
            );
            assert!(context.is_none(), "{raw}");
        }
        let (context, unreadable) = read(r#"{"custom": 5, "client": "x"}"#);
        assert!(context.is_some());
        assert_eq!(
            unreadable,
            ["client context custom", "client context client"]
        );
        let (context, unreadable) = read("");
        assert!(context.is_none() && unreadable.is_empty());
        // Latin-1 bytes: not UTF-8, still read (with replacement characters),
        // as JSON text and as base64 of it.
        let latin1 = b"{\"custom\":{\"bedrockAgentCoreToolName\":\"t___x\",\"u\":\"Zo\xeb\"}}";
        for raw in [latin1.to_vec(), engine.encode(latin1).into_bytes()] {
            let custom = custom_of(&raw);
            assert_eq!(custom[TOOL], "t___x");
            assert_eq!(custom["u"], "Zo\u{fffd}");
        }
    }

    /// What `serde_json` refuses in one value (a lone surrogate, nesting past
    /// its recursion limit) or a header cut short no longer loses the tool
    /// name beside it.
    #[test]
    fn one_unreadable_value_or_a_cut_does_not_lose_the_tool_name() {
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        let cases = [
            (
                r#"{"custom":{"bedrockAgentCoreToolName":"t___x","h":"\ud800"}}"#.to_owned(),
                Some(("h", "\u{fffd}")),
            ),
            (
                r#"{"custom":{"h":"\udc00\ud800x\ud83d\ude00","bedrockAgentCoreToolName":"t___x"}}"#
                    .to_owned(),
                Some(("h", "\u{fffd}\u{fffd}x😀")),
            ),
            (
                r#"{"custom":{"bedrockAgentCoreToolName":"t___x","h":{"a":"\ud800"}}}"#.to_owned(),
                Some(("h", r#"{"a":"\ud800"}"#)),
            ),
            (
                r#"{"custom":{"bedrockAgentCoreToolName":"t___x","n":"\u0000\u12"}}"#.to_owned(),
                Some(("n", "\0\u{fffd}")),
            ),
            (
                format!(r#"{{"custom":{{"bedrockAgentCoreToolName":"t___x","deep":{deep}}}}}"#),
                Some(("deep", deep.as_str())),
            ),
            (
                format!(r#"{{"environment":{deep},"custom":{{"bedrockAgentCoreToolName":"t___x"}}}}"#),
                None,
            ),
            (
                r#"{"custom":{"bedrockAgentCoreToolName":"t___x","big":"aaaa"#.to_owned(),
                None,
            ),
            (
                r#"{"custom":{"bedrockAgentCoreToolName":"t___x","n":12"#.to_owned(),
                None,
            ),
            (
                r#"{"custom":{"bedrockAgentCoreToolName":"t___x", oops}, "client": 1}"#.to_owned(),
                None,
            ),
            (
                r#"{"custom":{"bedrockAgentCoreToolName":"t___x"}} trailing"#.to_owned(),
                None,
            ),
            (
                r#"{"custom":{"bedrockAgentCoreToolName":"t___x"},"custom":null,"custom":{"a":"b"}}"#
                    .to_owned(),
                Some(("a", "b")),
            ),
        ];
        for (raw, member) in &cases {
            let custom = custom_of(raw.as_bytes());
            assert_eq!(
                custom.get(TOOL).map(String::as_str),
                Some("t___x"),
                "{raw:.200}"
            );
            if let Some((key, value)) = member {
                assert_eq!(custom[*key], *value, "{raw:.200}");
            }
        }
        // A value cut short is left out, never read as if whole.
        for raw in [
            r#"{"custom":{"bedrockAgentCoreToolName":"t___x"#,
            r#"{"custom":{"bedrockAgentCoreToolName":"#,
            r#"{"custom":{"bedrockAgentCoreToolName"#,
        ] {
            let (context, unreadable) = read(raw);
            assert!(
                !context
                    .unwrap()
                    .client_context
                    .unwrap()
                    .custom
                    .contains_key(TOOL)
            );
            assert_eq!(unreadable, ["client context tail"], "{raw}");
        }
    }

    #[test]
    fn cognito_identities_are_read_field_by_field() {
        type Case<'a> = (&'a [u8], Option<(&'a str, &'a str)>, bool);
        let cases: [Case<'_>; 7] = [
            (
                br#"{"identityId":"i","identityPoolId":"p"}"#,
                Some(("i", "p")),
                false,
            ),
            (
                br#"{"cognitoIdentityId":"i","cognitoIdentityPoolId":null}"#,
                Some(("i", "")),
                false,
            ),
            (
                br#"{"identity_pool_id":7,"x":{"y":[1]}}"#,
                Some(("", "7")),
                false,
            ),
            (
                b"{\"identityId\":\"Zo\xeb\\ud800\"",
                Some(("Zo\u{fffd}\u{fffd}", "")),
                true,
            ),
            (br#"{"x":"y"}"#, None, true),
            (b"not json", None, true),
            (b"  ", None, false),
        ];
        for (raw, want, unreadable) in cases {
            let (identity, broken) = read_cognito_identity(raw);
            // Through `Context`'s own field, as the runtime loop does.
            let mut context = lambda_runtime::Context::default();
            context.identity = identity.map(|v| serde_json::from_value(v).unwrap());
            assert_eq!(
                context
                    .identity
                    .map(|i| (i.identity_id, i.identity_pool_id)),
                want.map(|(a, b)| (a.to_owned(), b.to_owned())),
                "{}",
                String::from_utf8_lossy(raw)
            );
            assert_eq!(broken, unreadable, "{}", String::from_utf8_lossy(raw));
        }
    }

    /// Any JSON value, with `serde_json`-refused escapes spliced into its
    /// strings.
    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<f64>().prop_map(|n| json!(n)),
            any::<String>().prop_map(Value::String),
            // Marked for a lone surrogate escape.
            any::<String>().prop_map(|s| Value::String(format!("{s}\u{e000}"))),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(any::<String>(), inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Whatever else the header holds, wherever the tool name sits among
        /// the other members, however the header is encoded and wherever it
        /// is cut after the tool name: the tool name is read exactly.
        #[test]
        fn the_tool_name_is_read_whatever_surrounds_it(
            client in json_value(),
            environment in json_value(),
            before in prop::collection::vec((any::<String>(), json_value()), 0..3),
            after in prop::collection::vec((any::<String>(), json_value()), 0..3),
            tool in any::<String>(),
            surrogates in any::<bool>(),
            bom in any::<bool>(),
            cut in proptest::option::of(any::<prop::sample::Index>()),
            encoding in 0..3_u8,
        ) {
            let members = |m: &[(String, Value)]| {
                m.iter()
                    .filter(|(k, _)| k != TOOL)
                    .map(|(k, v)| {
                        let v = v.to_string();
                        // A lone surrogate escape in every string of the value.
                        let v = if surrogates { v.replace('\u{e000}', "\\ud800") } else { v };
                        format!("{}:{v},", Value::String(k.clone()))
                    })
                    .collect::<String>()
            };
            let head = format!(
                r#"{{"client":{client},"environment":{environment},"custom":{{{}"{TOOL}":{},"#,
                members(&before),
                Value::String(tool.clone()),
            );
            let tail = format!(r#"{}"end":1}}}}"#, members(&after));
            let mut text = head.clone();
            match cut {
                // Cut anywhere after the tool name's member.
                Some(at) => {
                    let at = at.index(tail.len() + 1);
                    let at = (0..=at).rev().find(|i| tail.is_char_boundary(*i)).unwrap_or(0);
                    text.push_str(&tail[..at]);
                }
                None => text.push_str(&tail),
            }
            if bom {
                text.insert(0, '\u{feff}');
            }
            let raw = match encoding {
                0 => text.into_bytes(),
                1 => base64::engine::general_purpose::STANDARD.encode(&text).into_bytes(),
                _ => serde_json::to_string(&text).unwrap().into_bytes(),
            };
            let custom = custom_of(&raw);
            prop_assert_eq!(custom.get(TOOL), Some(&tool));
        }

        /// Any bytes at all: never a panic, and a context is `ClientContext`'s
        /// shape whenever there is one.
        #[test]
        fn any_bytes_are_read_or_named(raw in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = read_bytes(&raw);
            let _ = read_cognito_identity(&raw);
        }

        /// Any text made of JSON's own punctuation: the same.
        #[test]
        fn json_punctuation_soup_never_panics(raw in r#"[{}\[\]":,\\u0-9a-fd \n]{0,120}"#) {
            let _ = read_bytes(raw.as_bytes());
            let _ = read_cognito_identity(raw.as_bytes());
        }
    }
}
