//! Every schema a caller reads, derived from the registered handlers: the
//! OpenAPI document of an OpenAPI action group, the `functionSchema` of a
//! function-details group, the AgentCore Gateway's inline tool schema; the
//! lowering of utoipa's OpenAPI 3.1 JSON Schema to what Bedrock reads; and
//! the rules Bedrock and the Gateway enforce, checked on the JSON itself.

mod function;
mod lower;
mod openapi;
mod rules;
mod tool;

pub(crate) use lower::Unsupported;
pub use rules::{
    GATEWAY_SCHEMA_KEYWORDS, MAX_FUNCTION_PARAMETERS, MAX_OPERATIONS,
    bedrock_function_schema_violations, bedrock_openapi_violations, gateway_tool_schema_violations,
};

use serde_json::Value;

use crate::error::SchemaError;

/// Claude's (and the Gateway's) tool-name rule: `^[a-zA-Z0-9_-]{1,64}$`.
pub(crate) fn is_tool_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `description` with `sentence` appended, separated by `. ` or ` `.
pub(crate) fn append_sentence(description: &str, sentence: &str) -> String {
    let existing = description.trim();
    if existing.is_empty() {
        return sentence.trim().to_owned();
    }
    let sep = if existing.ends_with('.') { " " } else { ". " };
    format!("{existing}{sep}{}", sentence.trim())
}

/// A schema value as the model reads it in a description: strings bare,
/// everything else as JSON.
pub(crate) fn display_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The error for a construct the lowering cannot express, in `operation`.
pub(crate) fn unsupported(operation: &str, u: Unsupported) -> SchemaError {
    SchemaError::UnsupportedType {
        operation: operation.to_owned(),
        location: u.pointer,
        what: u.what,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_appended_once_punctuated() {
        assert_eq!(append_sentence("", "Default: 5."), "Default: 5.");
        assert_eq!(append_sentence("Rows", "Default: 5."), "Rows. Default: 5.");
        assert_eq!(
            append_sentence("Rows. ", "Default: 5."),
            "Rows. Default: 5."
        );
    }
}
