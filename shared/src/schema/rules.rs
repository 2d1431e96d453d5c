//! What Bedrock Agents accept in an action group's OpenAPI document or
//! function schema (the "Bedrock profile"), and what the AgentCore Gateway
//! accepts in an inline tool schema — checked on the JSON itself, so the
//! same checks run on generated and on committed files.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::is_tool_name;
use crate::error::SchemaError;
use crate::gateway::GATEWAY_SEPARATOR;

/// At most this many operations in one action group.
pub const MAX_OPERATIONS: usize = 11;
/// At most this many parameters per function (default quota).
pub const MAX_FUNCTION_PARAMETERS: usize = 5;
/// Function description length limit.
pub(crate) const MAX_FUNCTION_DESCRIPTION: usize = 1200;
/// Function parameter description length limit.
pub(crate) const MAX_PARAMETER_DESCRIPTION: usize = 500;
/// The JSON Schema keywords a Gateway inline tool schema accepts.
pub const GATEWAY_SCHEMA_KEYWORDS: [&str; 5] =
    ["type", "description", "properties", "required", "items"];

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The parameter types a function-details schema accepts.
pub(crate) const FUNCTION_PARAMETER_TYPES: [&str; 5] =
    ["string", "number", "integer", "boolean", "array"];

/// Checks an OpenAPI document against Bedrock's rules for the action group
/// named `action_group`. Returns every violation found (empty when fine).
///
/// ```
/// let doc = serde_json::json!({"openapi": "3.1.0", "info": {}, "paths": {}});
/// let violations = actionkit::bedrock_openapi_violations(&doc, "Ops");
/// assert_eq!(violations.len(), 1);
/// ```
pub fn bedrock_openapi_violations(doc: &Value, action_group: &str) -> Vec<SchemaError> {
    let mut errors = Vec::new();
    if doc.get("openapi").and_then(Value::as_str) != Some("3.0.0") {
        errors.push(SchemaError::UnsupportedType {
            operation: "document".into(),
            location: "openapi".into(),
            what: format!("version {}", doc.get("openapi").unwrap_or(&Value::Null)),
        });
    }
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        errors.push(SchemaError::UnsupportedType {
            operation: "document".into(),
            location: "paths".into(),
            what: "a missing paths object".into(),
        });
        return errors;
    };
    let mut count = 0;
    let mut operation_ids = HashSet::new();
    for (path, item) in paths {
        if !path.starts_with('/') {
            errors.push(SchemaError::BadName {
                operation: path.clone(),
                name: path.clone(),
                rule: "paths must start with '/'".into(),
            });
        }
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            count += 1;
            let label = format!("{} {path}", method.to_ascii_uppercase());
            if op
                .get("description")
                .and_then(Value::as_str)
                .is_none_or(|d| d.trim().is_empty())
            {
                errors.push(SchemaError::MissingDescription {
                    operation: label.clone(),
                });
            }
            match op.get("operationId").and_then(Value::as_str) {
                None | Some("") => errors.push(SchemaError::BadName {
                    operation: label.clone(),
                    name: String::new(),
                    rule: "every operation needs an operationId".into(),
                }),
                Some(id) => {
                    if !operation_ids.insert(id.to_owned()) {
                        errors.push(SchemaError::BadName {
                            operation: label.clone(),
                            name: id.to_owned(),
                            rule: "operationIds must be unique".into(),
                        });
                    }
                    let tool_name = format!("{method}__{action_group}__{id}");
                    if !is_tool_name(&tool_name) {
                        errors.push(SchemaError::BadToolName {
                            operation: label.clone(),
                            tool_name,
                        });
                    }
                }
            }
            if let Some(params) = op.get("parameters").and_then(Value::as_array) {
                for p in params {
                    let name = p.get("name").and_then(Value::as_str).unwrap_or("?");
                    let ty = p.pointer("/schema/type").and_then(Value::as_str);
                    if !ty.is_some_and(|t| FUNCTION_PARAMETER_TYPES.contains(&t)) {
                        errors.push(SchemaError::UnsupportedType {
                            operation: label.clone(),
                            location: format!("parameter `{name}`"),
                            what: format!(
                                "type {} (parameters are string, number, integer, boolean or array; \
                                 send objects in the request body)",
                                ty.unwrap_or("unspecified")
                            ),
                        });
                    }
                }
            }
            check_schema_keywords(op, &label, "", &mut errors);
        }
    }
    if count > MAX_OPERATIONS {
        errors.push(SchemaError::TooManyOperations {
            count,
            max: MAX_OPERATIONS,
        });
    }
    errors
}

/// Finds 3.1-only or Bedrock-unsupported keywords anywhere under `value`.
fn check_schema_keywords(value: &Value, label: &str, pointer: &str, errors: &mut Vec<SchemaError>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let bad = match k.as_str() {
                    "enum" | "const" | "examples" | "prefixItems" | "$ref" | "$schema" => true,
                    "type" => v.is_array(),
                    "exclusiveMinimum" | "exclusiveMaximum" => !v.is_boolean(),
                    _ => false,
                };
                // `example`/`default` values are data, not schema: skip them.
                let is_data = matches!(k.as_str(), "example" | "default");
                if let ("properties", Value::Object(props)) = (k.as_str(), v) {
                    // Property names are data: a field may be called `enum`.
                    for (name, child) in props {
                        check_schema_keywords(
                            child,
                            label,
                            &format!("{pointer}/properties/{name}"),
                            errors,
                        );
                    }
                } else if bad {
                    errors.push(SchemaError::UnsupportedType {
                        operation: label.to_owned(),
                        location: format!("{pointer}/{k}"),
                        what: format!("the keyword `{k}` in this form"),
                    });
                } else if !is_data {
                    check_schema_keywords(v, label, &format!("{pointer}/{k}"), errors);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                check_schema_keywords(v, label, &format!("{pointer}/{i}"), errors);
            }
        }
        _ => {}
    }
}

/// Bedrock's function and parameter name rule: `([0-9a-zA-Z][_-]?){1,100}`.
pub(crate) fn is_function_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let mut units = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphanumeric() {
            return false;
        }
        i += 1;
        if i < bytes.len() && (bytes[i] == b'_' || bytes[i] == b'-') {
            i += 1;
        }
        units += 1;
    }
    (1..=100).contains(&units)
}

/// Checks a function-details `functionSchema` (`{"functions": [...]}`)
/// against Bedrock's rules. Returns every violation found.
pub fn bedrock_function_schema_violations(schema: &Value) -> Vec<SchemaError> {
    let mut errors = Vec::new();
    let Some(functions) = schema.get("functions").and_then(Value::as_array) else {
        errors.push(SchemaError::UnsupportedType {
            operation: "functionSchema".into(),
            location: "functions".into(),
            what: "a missing functions array".into(),
        });
        return errors;
    };
    for f in functions {
        let name = f.get("name").and_then(Value::as_str).unwrap_or("");
        if !is_function_name(name) {
            errors.push(SchemaError::BadName {
                operation: name.to_owned(),
                name: name.to_owned(),
                rule: "function names match ([0-9a-zA-Z][_-]?){1,100}".into(),
            });
        }
        check_description(
            f.get("description"),
            name,
            MAX_FUNCTION_DESCRIPTION,
            &mut errors,
        );
        let Some(params) = f.get("parameters").and_then(Value::as_object) else {
            continue;
        };
        if params.len() > MAX_FUNCTION_PARAMETERS {
            errors.push(SchemaError::TooManyParameters {
                operation: name.to_owned(),
                count: params.len(),
                max: MAX_FUNCTION_PARAMETERS,
            });
        }
        for (pname, p) in params {
            let label = format!("{name}.{pname}");
            if !is_function_name(pname) {
                errors.push(SchemaError::BadName {
                    operation: name.to_owned(),
                    name: pname.clone(),
                    rule: "parameter names match ([0-9a-zA-Z][_-]?){1,100}".into(),
                });
            }
            let ty = p
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("unspecified");
            if !FUNCTION_PARAMETER_TYPES.contains(&ty) {
                errors.push(SchemaError::UnsupportedType {
                    operation: name.to_owned(),
                    location: format!("parameter `{pname}`"),
                    what: format!("type {ty} (use string, number, integer, boolean or array)"),
                });
            }
            check_description(
                p.get("description"),
                &label,
                MAX_PARAMETER_DESCRIPTION,
                &mut errors,
            );
        }
    }
    errors
}

fn check_description(
    description: Option<&Value>,
    label: &str,
    max: usize,
    errors: &mut Vec<SchemaError>,
) {
    match description.and_then(Value::as_str).map(str::trim) {
        None | Some("") => errors.push(SchemaError::MissingDescription {
            operation: label.to_owned(),
        }),
        Some(d) if d.chars().count() > max => errors.push(SchemaError::DescriptionTooLong {
            operation: label.to_owned(),
            len: d.chars().count(),
            max,
        }),
        Some(_) => {}
    }
}

/// Checks an inline tool schema against the Gateway's subset: every tool
/// has a valid name, a description and an object `inputSchema`, and no
/// schema uses a keyword outside type/description/properties/required/items.
/// Returns every problem found (empty when fine).
///
/// ```
/// let schema = serde_json::json!([{"name": "t", "description": "d",
///     "inputSchema": {"type": "object", "properties": {"a": {"type": "string", "enum": ["x"]}}}}]);
/// assert_eq!(actionkit::gateway_tool_schema_violations(&schema).len(), 1);
/// ```
pub fn gateway_tool_schema_violations(schema: &Value) -> Vec<SchemaError> {
    let mut problems = Vec::new();
    let Some(tools) = schema.as_array() else {
        return vec![gateway_problem(
            "#",
            "the tool schema must be an array of tools",
        )];
    };
    for (i, tool) in tools.iter().enumerate() {
        let at = format!("#/{i}");
        let name = tool.get("name").and_then(Value::as_str).unwrap_or("");
        if !is_tool_name(name) || name.contains(GATEWAY_SEPARATOR) {
            problems.push(SchemaError::BadName {
                operation: format!("{at}/name"),
                name: name.to_owned(),
                rule: "tool names are 1 to 64 letters, digits, _ or -, without ___".into(),
            });
        }
        if tool
            .get("description")
            .and_then(Value::as_str)
            .is_none_or(|d| d.trim().is_empty())
        {
            problems.push(SchemaError::MissingDescription {
                operation: format!("{at}/description"),
            });
        }
        match tool.get("inputSchema") {
            Some(input) if input.get("type") == Some(&json!("object")) => {
                keywords(input, &format!("{at}/inputSchema"), &mut problems)
            }
            _ => problems.push(gateway_problem(
                &format!("{at}/inputSchema"),
                "inputSchema must be an object schema",
            )),
        }
        if let Some(output) = tool.get("outputSchema") {
            keywords(output, &format!("{at}/outputSchema"), &mut problems);
        }
        for key in tool
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            if !["name", "description", "inputSchema", "outputSchema"].contains(&key.as_str()) {
                problems.push(gateway_problem(
                    &format!("{at}/{key}"),
                    &format!("`{key}` is not a tool field"),
                ));
            }
        }
    }
    problems
}

/// A construct the Gateway refuses, at the JSON pointer `at`.
fn gateway_problem(at: &str, what: &str) -> SchemaError {
    SchemaError::UnsupportedType {
        operation: "tool schema".into(),
        location: at.to_owned(),
        what: what.to_owned(),
    }
}

fn keywords(schema: &Value, at: &str, problems: &mut Vec<SchemaError>) {
    let Some(map) = schema.as_object() else {
        problems.push(gateway_problem(at, "a schema must be an object"));
        return;
    };
    for (key, value) in map {
        let here = format!("{at}/{key}");
        match key.as_str() {
            "properties" => {
                for (name, child) in value.as_object().into_iter().flatten() {
                    keywords(child, &format!("{here}/{name}"), problems);
                }
            }
            "items" => keywords(value, &here, problems),
            k if GATEWAY_SCHEMA_KEYWORDS.contains(&k) => {}
            other => problems.push(gateway_problem(
                &here,
                &format!("the keyword `{other}` is not accepted by the Gateway"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_rules() {
        assert!(is_function_name("get_weather"));
        assert!(is_function_name("a-b_c1"));
        assert!(!is_function_name("a__b"));
        assert!(!is_function_name("_a"));
        assert!(!is_function_name(""));
        assert!(!is_function_name("has space"));
        assert!(is_tool_name("get__LogInsights__get_cloudwatch_logs"));
        assert!(!is_tool_name(&"x".repeat(65)));
        assert!(!is_tool_name("get__Log.Insights__x"));
    }
}
