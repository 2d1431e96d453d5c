//! The lines of `template.yaml` written from `openapi/*.json`, so that the
//! agent's action groups and the Gateway's tools carry exactly the committed
//! schemas. Each is one line under a marker that says where it comes from,
//! so the hand-written stack stays readable:
//!
//! ```text
//!             # GENERATED from openapi/cloudwatch-query.json by `make schemas`: do not edit
//!             Payload: '{"openapi":"3.0.0",...}'
//! ```
//!
//! (`*.tools.json` files become `InlinePayload:` JSON in CloudFormation's
//! PascalCase keys; JSON is YAML, so it is one flow line too.)

use serde_json::{Map, Value};

/// The start of the marker line before each generated line.
pub const GENERATED_BEGIN: &str = "# GENERATED from ";
/// The rest of the marker line.
pub const GENERATED_END: &str = " by `make schemas`: do not edit";

/// `text` with every generated line written anew from its file.
pub fn sync_generated_blocks(text: &str) -> String {
    let root = actionkit_testkit::repo_root();
    let mut out = String::with_capacity(text.len());
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        let Some(rest) = line.trim_start().strip_prefix(GENERATED_BEGIN) else {
            continue;
        };
        let file = rest.strip_suffix(GENERATED_END).unwrap_or(rest).trim();
        let indent = &line[..line.len() - line.trim_start().len()];
        let source = std::fs::read_to_string(root.join(file))
            .unwrap_or_else(|e| panic!("template.yaml names {file}: {e}"));
        let json: Value =
            serde_json::from_str(&source).unwrap_or_else(|e| panic!("{file} is not JSON: {e}"));
        if file.ends_with(".tools.json") {
            let compact = serde_json::to_string(&to_cfn_tool_schema(&json)).unwrap_or_default();
            out.push_str(&format!("{indent}InlinePayload: {compact}\n"));
        } else {
            // A single-quoted YAML scalar: only `'` needs escaping, as `''`.
            let compact = serde_json::to_string(&json)
                .unwrap_or_default()
                .replace('\'', "''");
            out.push_str(&format!("{indent}Payload: '{compact}'\n"));
        }
        // The generated line that follows the marker is replaced.
        lines.next();
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
