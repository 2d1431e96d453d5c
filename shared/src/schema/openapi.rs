//! The OpenAPI 3.0 document (Bedrock profile) of an OpenAPI action group,
//! from the registered routes.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};
use utoipa::PartialSchema;

use super::lower::{Unsupported, inline_refs, lower_schema};
use super::rules::{MAX_OPERATIONS, bedrock_openapi_violations};
use super::unsupported;
use crate::error::{ErrorBody, SchemaError};
use crate::operation::{OperationDoc, ParamDoc, ParamLocation};
use crate::resolver::{Resolver, RouteEntry};

fn error_body_schema() -> Result<Value, Unsupported> {
    let mut schema = serde_json::to_value(ErrorBody::schema()).unwrap_or(Value::Null);
    lower_schema(&mut schema, "#/ErrorBody")?;
    Ok(schema)
}

fn error_response(description: &str, schema: &Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

/// Inlines and lowers a schema taken from a route's documentation.
pub(crate) fn finish_schema(
    schema: &Value,
    components: &BTreeMap<String, Value>,
    operation: &str,
    pointer: &str,
) -> Result<Value, SchemaError> {
    let mut schema =
        inline_refs(schema, components, pointer).map_err(|u| unsupported(operation, u))?;
    lower_schema(&mut schema, pointer).map_err(|u| unsupported(operation, u))?;
    Ok(schema)
}

impl<S> Resolver<S> {
    /// [`openapi`](Self::openapi) with the title, version and description
    /// given to [`info`](Self::info) (the action group's name and `1.0.0`
    /// when none was).
    pub fn openapi_document(&self) -> Result<Value, SchemaError> {
        let info = &self.info;
        let title = if info.title.is_empty() {
            self.action_group()
        } else {
            &info.title
        };
        let version = if info.version.is_empty() {
            "1.0.0"
        } else {
            &info.version
        };
        self.openapi(title, version, &info.description)
    }

    /// Generates the OpenAPI 3.0.0 document for this action group's routes,
    /// in the Bedrock profile, or the first reason Bedrock would reject it.
    pub fn openapi(
        &self,
        title: &str,
        version: &str,
        description: &str,
    ) -> Result<Value, SchemaError> {
        if self.routes.len() > MAX_OPERATIONS {
            return Err(SchemaError::TooManyOperations {
                count: self.routes.len(),
                max: MAX_OPERATIONS,
            });
        }
        let mut paths = Map::new();
        for route in &self.routes {
            let operation = self.operation_object(route)?;
            let item = paths
                .entry(route.template.as_str().to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(item) = item {
                item.insert(route.method.openapi_key().to_owned(), operation);
            }
        }
        let mut info = Map::new();
        info.insert("title".into(), title.into());
        info.insert("version".into(), version.into());
        if !description.is_empty() {
            info.insert("description".into(), description.into());
        }
        let doc = json!({"openapi": "3.0.0", "info": info, "paths": paths});
        match bedrock_openapi_violations(&doc, self.action_group())
            .into_iter()
            .next()
        {
            Some(error) => Err(error),
            None => Ok(doc),
        }
    }

    fn operation_object(&self, route: &RouteEntry<S>) -> Result<Value, SchemaError> {
        let label = format!("{} {}", route.method, route.template.as_str());
        if route.operation.description.trim().is_empty() {
            return Err(SchemaError::MissingDescription { operation: label });
        }
        check_path_parameters(route, &label)?;
        let doc = route.doc.get();
        let mut op = Map::new();
        if let Some(summary) = &route.operation.summary {
            op.insert("summary".into(), summary.clone().into());
        }
        op.insert(
            "description".into(),
            route.operation.description.clone().into(),
        );
        let operation_id = route
            .operation
            .operation_id
            .clone()
            .unwrap_or_else(|| route.template.operation_id(route.method));
        op.insert("operationId".into(), operation_id.into());
        if !doc.parameters.is_empty() {
            let params = doc
                .parameters
                .iter()
                .map(|p| parameter_object(p, doc, &label))
                .collect::<Result<Vec<_>, _>>()?;
            op.insert("parameters".into(), Value::Array(params));
        }
        if let Some(body) = &doc.request_body {
            let schema = finish_schema(body, &doc.components, &label, "#/requestBody")?;
            op.insert(
                "requestBody".into(),
                json!({"required": true, "content": {"application/json": {"schema": schema}}}),
            );
        }
        let mut ok = json!({"description": "Successful response"});
        let success = route.operation.status.unwrap_or(200);
        let pointer = format!("#/responses/{success}");
        if let Some(response) = &doc.response {
            let schema = finish_schema(response, &doc.components, &label, &pointer)?;
            ok["content"] = json!({"application/json": {"schema": schema}});
        }
        let error_schema = error_body_schema().map_err(|u| unsupported(&label, u))?;
        let mut responses = Map::new();
        responses.insert(success.to_string(), ok);
        let mut errors = vec![400, 500];
        errors.extend(route.operation.error_statuses.iter().copied());
        errors.sort_unstable();
        errors.dedup();
        for status in errors {
            responses.insert(
                status.to_string(),
                error_response(error_description(status), &error_schema),
            );
        }
        op.insert("responses".into(), Value::Object(responses));
        if route.operation.require_confirmation {
            op.insert("x-requireConfirmation".into(), "ENABLED".into());
        }
        Ok(Value::Object(op))
    }
}

/// What an error status means to the model reading the schema.
fn error_description(status: u16) -> &'static str {
    match status {
        400 => "Invalid or missing parameters; the message says which and why",
        401 | 403 => "Not allowed; the message says why",
        404 => "Not found; the message says what",
        409 => "In conflict with the current state; the message says why",
        429 => "Too many requests; try again later",
        500 => "The request could not be completed",
        502..=504 => "A dependency is unavailable; try again later",
        _ => "The request failed; the message says why",
    }
}

fn parameter_object(p: &ParamDoc, doc: &OperationDoc, label: &str) -> Result<Value, SchemaError> {
    let pointer = format!("#/parameters/{}", p.name);
    let schema = finish_schema(&p.schema, &doc.components, label, &pointer)?;
    let mut param = Map::new();
    param.insert("name".into(), p.name.clone().into());
    param.insert(
        "in".into(),
        match p.location {
            ParamLocation::Query => "query",
            ParamLocation::Path => "path",
        }
        .into(),
    );
    if let Some(description) = &p.description {
        param.insert("description".into(), description.clone().into());
    }
    param.insert("required".into(), p.required.into());
    param.insert("schema".into(), schema);
    Ok(Value::Object(param))
}

/// Every `{param}` of the template is a path parameter, and vice versa.
fn check_path_parameters<S>(route: &RouteEntry<S>, label: &str) -> Result<(), SchemaError> {
    let in_template: BTreeSet<&str> = route.template.param_names().collect();
    let declared: BTreeSet<&str> = route
        .doc
        .get()
        .parameters
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .map(|p| p.name.as_str())
        .collect();
    if in_template != declared {
        return Err(SchemaError::PathMismatch {
            operation: label.to_owned(),
            problem: format!(
                "the path template has parameters {in_template:?} but the handler's Path<T> declares {declared:?}"
            ),
        });
    }
    Ok(())
}
