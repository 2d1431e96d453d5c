//! The `functionSchema` of a function-details action group, from the
//! registered functions: their parameters are the query/path parameters and
//! the top-level body properties of each handler.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::openapi::finish_schema;
use super::rules::{
    FUNCTION_PARAMETER_TYPES, MAX_FUNCTION_PARAMETERS, bedrock_function_schema_violations,
};
use super::{append_sentence, display_value};
use crate::error::SchemaError;
use crate::resolver::{FunctionEntry, Resolver};

impl<S> Resolver<S> {
    /// Generates the `functionSchema` (`{"functions": [...]}`) of this
    /// resolver's function-details functions, or the first reason Bedrock
    /// would reject it.
    pub fn function_schema(&self) -> Result<Value, SchemaError> {
        let functions = self
            .functions
            .iter()
            .map(function_object)
            .collect::<Result<Vec<_>, _>>()?;
        let schema = json!({ "functions": functions });
        match bedrock_function_schema_violations(&schema)
            .into_iter()
            .next()
        {
            Some(error) => Err(error),
            None => Ok(schema),
        }
    }
}

/// One function-details function: its parameters are the query/path
/// parameters and the top-level body properties of its handler.
fn function_object<S>(f: &FunctionEntry<S>) -> Result<Value, SchemaError> {
    let label = f.name.as_str();
    let mut params = Map::new();
    let mut add = |name: &str,
                   schema: &Value,
                   description: Option<&str>,
                   required: bool|
     -> Result<(), SchemaError> {
        let ty = schema
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("unspecified");
        if !FUNCTION_PARAMETER_TYPES.contains(&ty) {
            return Err(SchemaError::UnsupportedType {
                operation: label.to_owned(),
                location: format!("parameter `{name}`"),
                what: format!(
                    "type {ty} (function parameters are string, number, integer, boolean or array)"
                ),
            });
        }
        let mut text = description
            .or_else(|| schema.get("description").and_then(Value::as_str))
            .unwrap_or("")
            .trim()
            .to_owned();
        if let Some(default) = schema.get("default") {
            text = append_sentence(&text, &format!("Default: {}.", display_value(default)));
        }
        params.insert(
            name.to_owned(),
            json!({"type": ty, "description": text, "required": required}),
        );
        Ok(())
    };
    let doc = f.doc.get();
    for p in &doc.parameters {
        let schema = finish_schema(&p.schema, &doc.components, label, &format!("#/{}", p.name))?;
        add(&p.name, &schema, p.description.as_deref(), p.required)?;
    }
    if let Some(body) = &doc.request_body {
        let schema = finish_schema(body, &doc.components, label, "#/body")?;
        let required: BTreeSet<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                add(name, prop, None, required.contains(name.as_str()))?;
            }
        }
    }
    if params.len() > MAX_FUNCTION_PARAMETERS {
        return Err(SchemaError::TooManyParameters {
            operation: label.to_owned(),
            count: params.len(),
            max: MAX_FUNCTION_PARAMETERS,
        });
    }
    let mut function = json!({
        "name": f.name,
        "description": f.operation.description,
        "parameters": params,
    });
    if f.operation.require_confirmation {
        function["requireConfirmation"] = "ENABLED".into();
    }
    Ok(function)
}
