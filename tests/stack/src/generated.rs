//! The blocks of `template.yaml` written from `openapi/*.json`, so that the
//! agent's action groups and the Gateway's tools carry exactly the committed
//! schemas. A block is
//!
//! ```text
//!             # BEGIN GENERATED from openapi/cloudwatch-query.json
//!             Payload: |
//!               { ...the file, verbatim... }
//!             # END GENERATED
//! ```
//!
//! (`*.tools.json` files become `InlinePayload:`, in CloudFormation's
//! PascalCase keys.)

use serde_json::{Map, Value};

/// The marker line that opens a generated block, followed by the file.
pub const GENERATED_BEGIN: &str = "# BEGIN GENERATED from ";
/// The marker line that closes it.
pub const GENERATED_END: &str = "# END GENERATED";

/// `text` with every generated block written anew from its file.
pub fn sync_generated_blocks(text: &str) -> String {
    let root = actionkit_testkit::repo_root();
    let mut out = String::with_capacity(text.len());
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        let Some(file) = line.trim_start().strip_prefix(GENERATED_BEGIN) else {
            continue;
        };
        let indent = &line[..line.len() - line.trim_start().len()];
        let source = std::fs::read_to_string(root.join(file))
            .unwrap_or_else(|e| panic!("template.yaml names {file}: {e}"));
        let inner = format!("{indent}  ");
        if file.ends_with(".tools.json") {
            let tools: Value =
                serde_json::from_str(&source).unwrap_or_else(|e| panic!("{file} is not JSON: {e}"));
            let pretty =
                serde_json::to_string_pretty(&to_cfn_tool_schema(&tools)).unwrap_or_default();
            out.push_str(&format!("{indent}InlinePayload:\n"));
            for l in pretty.lines() {
                out.push_str(&format!("{inner}{l}\n"));
            }
        } else {
            out.push_str(&format!("{indent}Payload: |\n"));
            for l in source.lines() {
                if l.is_empty() {
                    out.push('\n');
                } else {
                    out.push_str(&format!("{inner}{l}\n"));
                }
            }
        }
        // Skip the old block up to its end marker, and keep the marker.
        for old in lines.by_ref() {
            if old.trim_start() == GENERATED_END {
                out.push_str(old);
                out.push('\n');
                break;
            }
        }
    }
    out
}

/// A Gateway inline tool schema (`name`, `inputSchema`, `type`, ...) in the
/// keys `AWS::BedrockAgentCore::GatewayTarget` takes (`Name`,
/// `InputSchema`, `Type`, ...). Property names are left as they are.
pub fn to_cfn_tool_schema(tools: &Value) -> Value {
    match tools {
        Value::Array(items) => Value::Array(items.iter().map(to_cfn_tool_schema).collect()),
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                let converted = if key == "properties" {
                    Value::Object(
                        value
                            .as_object()
                            .map(|props| {
                                props
                                    .iter()
                                    .map(|(name, schema)| {
                                        (name.clone(), to_cfn_tool_schema(schema))
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                    )
                } else {
                    to_cfn_tool_schema(value)
                };
                out.insert(pascal_case(key), converted);
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

fn pascal_case(key: &str) -> String {
    let mut chars = key.chars();
    chars
        .next()
        .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}
