//! The AgentCore Gateway's inline tool schema of the registered routes and
//! functions: one object `inputSchema` per tool, restricted to the keywords
//! the Gateway accepts, with what else matters moved into descriptions.

use serde_json::{Map, Value, json};

use super::lower::{inline_refs, lower_schema};
use super::rules::gateway_tool_schema_violations;
use super::{append_sentence, display_value, is_tool_name, unsupported};
use crate::error::SchemaError;
use crate::gateway::{GATEWAY_SEPARATOR, ToolTarget};
use crate::operation::OperationDoc;
use crate::resolver::Resolver;

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
            "default" => notes.push(format!("Default: {}.", display_value(value))),
            "minimum" => notes.push(format!("Minimum: {}.", display_value(value))),
            "maximum" => notes.push(format!("Maximum: {}.", display_value(value))),
            "minLength" => notes.push(format!("At least {} characters.", display_value(value))),
            "maxLength" => notes.push(format!("At most {} characters.", display_value(value))),
            "maxItems" => notes.push(format!("At most {} items.", display_value(value))),
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
        description = append_sentence(&description, &notes.join(" "));
    }
    if !description.is_empty() {
        out.insert("description".into(), description.into());
    }
    Value::Object(out)
}

fn finished(
    schema: &Value,
    doc: &OperationDoc,
    tool: &str,
    pointer: &str,
) -> Result<Value, SchemaError> {
    let mut schema =
        inline_refs(schema, &doc.components, pointer).map_err(|u| unsupported(tool, u))?;
    lower_schema(&mut schema, pointer).map_err(|u| unsupported(tool, u))?;
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
                Some(notes) if !notes.is_empty() => append_sentence(text, notes),
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
                ToolTarget::Route(i) => (
                    &self.routes[i].operation.description,
                    self.routes[i].doc.get(),
                ),
                ToolTarget::Function(i) => (
                    &self.functions[i].operation.description,
                    self.functions[i].doc.get(),
                ),
            };
            if !is_tool_name(&tool.name) || tool.name.contains(GATEWAY_SEPARATOR) {
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
            Some(problem) => Err(problem),
            None => Ok(schema),
        }
    }
}
