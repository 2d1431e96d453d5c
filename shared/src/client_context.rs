//! Reading the `Lambda-Runtime-Client-Context` header whatever it holds.
//!
//! `lambda_runtime`'s `Context::new` parses the header as
//! `ClientContext` (string-to-string maps, every `client` field a string)
//! and fails the whole invocation on anything else: an object of
//! propagated headers in `custom`, `"client": null`, raw UTF-8 bytes
//! (`HeaderValue::to_str` accepts visible ASCII only). actionkit never
//! hands it the header: it builds the `ClientContext` itself from the JSON
//! value, so no shape loses the invocation and the Gateway tool name is read
//! whenever it is there.

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
    /// The parts that could not be read and were left out, e.g.
    /// `"custom"` (not an object) or `"header"` (not JSON, plain or base64).
    pub(crate) unreadable: Vec<&'static str>,
}

/// Reads a client context header's bytes: JSON text (what the Runtime API
/// sends, raw UTF-8 included) or base64 of it (what `cargo lambda watch`
/// and the Invoke API's `ClientContext` parameter carry).
pub(crate) fn read_client_context(raw: &[u8]) -> ReadClientContext {
    let raw = raw.trim_ascii();
    if raw.is_empty() {
        return ReadClientContext::default();
    }
    let value = serde_json::from_slice::<Value>(raw)
        .ok()
        .or_else(|| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(raw)
                .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(raw))
                .ok()?;
            serde_json::from_slice::<Value>(bytes.trim_ascii()).ok()
        })
        .or_else(|| {
            // Bytes that are not UTF-8 (a Latin-1 name in a propagated header):
            // read with replacement characters rather than lose the tool name.
            std::str::from_utf8(raw)
                .is_err()
                .then(|| serde_json::from_str::<Value>(&String::from_utf8_lossy(raw)).ok())
                .flatten()
        });
    let Some(Value::Object(object)) = value else {
        return ReadClientContext {
            context: None,
            unreadable: vec!["header"],
        };
    };
    from_object(object)
}

fn from_object(mut object: Map<String, Value>) -> ReadClientContext {
    let mut unreadable = Vec::new();
    let mut map_of = |key: &'static str| match object.remove(key) {
        Some(Value::Object(map)) => map
            .into_iter()
            .filter_map(|(k, v)| text_of(v).map(|v| (k, Value::String(v))))
            .collect(),
        Some(Value::Null) | None => Map::new(),
        Some(_) => {
            unreadable.push(key);
            Map::new()
        }
    };
    let custom = map_of("custom");
    let environment = map_of("environment");
    let mut given = map_of("client");
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

/// A value as text: strings as they are, `null` left out, anything else
/// (an object of propagated headers, a number) as its JSON text.
fn text_of(value: Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Through `Context`'s own field, as the runtime loop does.
    fn read(raw: &str) -> (Option<lambda_runtime::Context>, Vec<&'static str>) {
        let r = read_client_context(raw.as_bytes());
        let context = r.context.map(|value| {
            let mut context = lambda_runtime::Context::default();
            context.client_context = serde_json::from_value(value).unwrap();
            context
        });
        (context, r.unreadable)
    }

    #[test]
    fn nulls_partial_clients_and_unicode_are_read() {
        let (context, unreadable) = read(
            r#"{"client": null, "environment": null, "custom": {"bedrockAgentCoreToolName": "t___x",
                "bedrockAgentCorePropagatedHeaders": {"x-user": "Zoë Müller"}, "gone": null}}"#,
        );
        assert!(unreadable.is_empty());
        let c = context.unwrap().client_context.unwrap();
        assert_eq!(c.custom["bedrockAgentCoreToolName"], "t___x");
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
        for raw in [
            base64::engine::general_purpose::STANDARD.encode(plain),
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(plain),
            format!("  {plain} "),
        ] {
            let (context, _) = read(&raw);
            assert_eq!(
                context.unwrap().client_context.unwrap().custom["k"],
                "Zoë",
                "{raw}"
            );
        }
        for raw in ["not json", "[1]", "\"s\"", "bm90IGpzb24="] {
            let (context, unreadable) = read(raw);
            assert!(context.is_none(), "{raw}");
            assert_eq!(unreadable, ["header"], "{raw}");
        }
        let (context, unreadable) = read(r#"{"custom": 5, "client": "x"}"#);
        assert!(context.is_some());
        assert_eq!(unreadable, ["custom", "client"]);
        let (context, unreadable) = read("");
        assert!(context.is_none() && unreadable.is_empty());
        // Latin-1 bytes: not UTF-8, still read (with replacement characters).
        let r = read_client_context(
            b"{\"custom\":{\"bedrockAgentCoreToolName\":\"t___x\",\"u\":\"Zo\xeb\"}}",
        );
        let mut context = lambda_runtime::Context::default();
        context.client_context = serde_json::from_value(r.context.unwrap()).unwrap();
        let custom = context.client_context.unwrap().custom;
        assert_eq!(custom["bedrockAgentCoreToolName"], "t___x");
        assert_eq!(custom["u"], "Zo\u{fffd}");
    }
}
