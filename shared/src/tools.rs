//! AgentCore Gateway: the same handlers as MCP tools behind a Gateway
//! Lambda target. The Gateway passes the tool's arguments object as the
//! event and names the tool in the client context
//! (`bedrockAgentCoreToolName` = `<target>___<tool>`).

use lambda_runtime::Context;
use serde_json::{Map, Value, json};

use crate::error::SchemaError;
use crate::lower::{inline_refs, lower_schema};
use crate::operation::OperationDoc;
use crate::resolver::Resolver;

/// The client-context key that names the tool.
pub const GATEWAY_TOOL_NAME_KEY: &str = "bedrockAgentCoreToolName";
/// What separates the Gateway target from the tool name.
pub(crate) const GATEWAY_SEPARATOR: &str = "___";
/// Tool names are at most this long.
const MAX_TOOL_NAME: usize = 64;
/// The JSON Schema keywords a Gateway inline tool schema accepts.
pub const GATEWAY_SCHEMA_KEYWORDS: [&str; 5] =
    ["type", "description", "properties", "required", "items"];

/// What a registered tool runs.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ToolTarget {
    Route(usize),
    Function(usize),
}

/// One registered tool.
#[derive(Debug, Clone)]
pub(crate) struct ToolEntry {
    pub(crate) name: String,
    pub(crate) target: ToolTarget,
    pub(crate) label: String,
}

/// The tool name of a Gateway invocation, if this is one.
pub(crate) fn gateway_tool_name(context: &Context) -> Option<String> {
    context
        .client_context
        .as_ref()?
        .custom
        .get(GATEWAY_TOOL_NAME_KEY)
        .cloned()
}

fn is_tool_name(name: &str) -> bool {
    (1..=MAX_TOOL_NAME).contains(&name.len())
        && !name.contains(GATEWAY_SEPARATOR)
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Keeps only the Gateway's keywords; what else matters to the model
/// (defaults, bounds, formats, nullability) moves into the description.
fn restrict(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    let mut notes = Vec::new();
    for (key, value) in map {
        match key.as_str() {
            "type" | "required" => {
                out.insert(key.clone(), value.clone());
            }
            "description" => {}
            "items" => {
                out.insert(key.clone(), restrict(value));
            }
            "properties" => {
                let props = value
                    .as_object()
                    .map(|p| {
                        p.iter()
                            .map(|(k, v)| (k.clone(), restrict(v)))
                            .collect::<Map<_, _>>()
                    })
                    .unwrap_or_default();
                out.insert(key.clone(), Value::Object(props));
            }
            "default" => notes.push(format!("Default: {}.", display(value))),
            "minimum" => notes.push(format!("Minimum: {}.", display(value))),
            "maximum" => notes.push(format!("Maximum: {}.", display(value))),
            "minLength" => notes.push(format!("At least {} characters.", display(value))),
            "maxLength" => notes.push(format!("At most {} characters.", display(value))),
            "maxItems" => notes.push(format!("At most {} items.", display(value))),
            "nullable" if value == &Value::Bool(true) => notes.push("May be null.".into()),
            _ => {}
        }
    }
    let mut description = map
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_owned();
    if !notes.is_empty() {
        if !description.is_empty() && !description.ends_with('.') {
            description.push('.');
        }
        for note in notes {
            if !description.is_empty() {
                description.push(' ');
            }
            description.push_str(&note);
        }
    }
    if !description.is_empty() {
        out.insert("description".into(), description.into());
    }
    Value::Object(out)
}

fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn finished(
    schema: &Value,
    doc: &OperationDoc,
    tool: &str,
    pointer: &str,
) -> Result<Value, SchemaError> {
    let unsupported = |u: crate::lower::Unsupported| SchemaError::UnsupportedType {
        operation: tool.to_owned(),
        location: u.pointer,
        what: u.what,
    };
    let mut schema = inline_refs(schema, &doc.components, pointer).map_err(unsupported)?;
    lower_schema(&mut schema, pointer).map_err(unsupported)?;
    Ok(restrict(&schema))
}

/// The input schema of a tool: its query/path parameters and the top-level
/// properties of its body, as one object.
fn input_schema(doc: &OperationDoc, tool: &str) -> Result<Value, SchemaError> {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for p in &doc.parameters {
        let mut schema = finished(&p.schema, doc, tool, &format!("#/{}", p.name))?;
        if let (Some(text), Value::Object(map)) = (&p.description, &mut schema) {
            let merged = match map.get("description").and_then(Value::as_str) {
                Some(notes) if !notes.is_empty() => {
                    let text = text.trim_end();
                    let sep = if text.ends_with('.') { " " } else { ". " };
                    format!("{text}{sep}{notes}")
                }
                _ => text.clone(),
            };
            map.insert("description".into(), merged.into());
        }
        if p.required {
            required.push(Value::String(p.name.clone()));
        }
        properties.insert(p.name.clone(), schema);
    }
    if let Some(body) = &doc.request_body {
        let body = finished(body, doc, tool, "#/body")?;
        if let Some(props) = body.get("properties").and_then(Value::as_object) {
            properties.extend(props.clone());
        }
        if let Some(req) = body.get("required").and_then(Value::as_array) {
            required.extend(req.iter().cloned());
        }
    }
    Ok(json!({"type": "object", "properties": properties, "required": required}))
}

impl<S> Resolver<S> {
    /// The inline tool schema for an AgentCore Gateway Lambda target:
    /// `[{name, description, inputSchema, outputSchema?}]`, restricted to
    /// the keywords the Gateway accepts, or the first reason it would refuse.
    pub fn tool_schema(&self) -> Result<Value, SchemaError> {
        let mut tools = Vec::new();
        for tool in &self.tools {
            let (description, doc) = match tool.target {
                ToolTarget::Route(i) => {
                    (&self.routes[i].operation.description, &self.routes[i].doc)
                }
                ToolTarget::Function(i) => (
                    &self.functions[i].operation.description,
                    &self.functions[i].doc,
                ),
            };
            if !is_tool_name(&tool.name) {
                return Err(SchemaError::BadName {
                    operation: tool.label.clone(),
                    name: tool.name.clone(),
                    rule: "tool names are 1 to 64 letters, digits, _ or -, without ___".into(),
                });
            }
            if description.trim().is_empty() {
                return Err(SchemaError::MissingDescription {
                    operation: tool.label.clone(),
                });
            }
            let mut entry = json!({
                "name": tool.name,
                "description": description,
                "inputSchema": input_schema(doc, &tool.name)?,
            });
            if let Some(response) = &doc.response {
                entry["outputSchema"] = finished(response, doc, &tool.name, "#/output")?;
            }
            tools.push(entry);
        }
        let schema = Value::Array(tools);
        match gateway_tool_schema_violations(&schema).into_iter().next() {
            Some(problem) => Err(SchemaError::UnsupportedType {
                operation: "tool schema".into(),
                location: problem.0,
                what: problem.1,
            }),
            None => Ok(schema),
        }
    }
}

/// Checks an inline tool schema against the Gateway's subset: every tool
/// has a valid name, a description and an object `inputSchema`, and no
/// schema uses a keyword outside type/description/properties/required/items.
/// Returns (where, what) for every problem.
pub fn gateway_tool_schema_violations(schema: &Value) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    let Some(tools) = schema.as_array() else {
        return vec![(
            "#".into(),
            "the tool schema must be an array of tools".into(),
        )];
    };
    for (i, tool) in tools.iter().enumerate() {
        let at = format!("#/{i}");
        let name = tool.get("name").and_then(Value::as_str).unwrap_or("");
        if !is_tool_name(name) {
            problems.push((
                format!("{at}/name"),
                format!("`{name}` is not a valid tool name"),
            ));
        }
        if tool
            .get("description")
            .and_then(Value::as_str)
            .is_none_or(|d| d.trim().is_empty())
        {
            problems.push((
                format!("{at}/description"),
                "a description is required".into(),
            ));
        }
        match tool.get("inputSchema") {
            Some(input) if input.get("type") == Some(&json!("object")) => {
                keywords(input, &format!("{at}/inputSchema"), &mut problems)
            }
            _ => problems.push((
                format!("{at}/inputSchema"),
                "inputSchema must be an object schema".into(),
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
                problems.push((
                    format!("{at}/{key}"),
                    format!("`{key}` is not a tool field"),
                ));
            }
        }
    }
    problems
}

fn keywords(schema: &Value, at: &str, problems: &mut Vec<(String, String)>) {
    let Some(map) = schema.as_object() else {
        problems.push((at.to_owned(), "a schema must be an object".into()));
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
            other => problems.push((
                here,
                format!("the keyword `{other}` is not accepted by the Gateway"),
            )),
        }
    }
}
