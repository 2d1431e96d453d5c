//! Enforcing what a handler's schema documents.
//!
//! The schema a handler's types generate (utoipa's, the very object that
//! becomes the OpenAPI document, the `functionSchema` and the Gateway tool
//! schema) is compiled once, when the handler is registered, into
//! [`HandlerChecks`]: bounds (`minimum`, `maximum`, `exclusiveMinimum`,
//! `exclusiveMaximum`, `multipleOf`), lengths (`minLength`, `maxLength`),
//! `pattern`, item counts (`minItems`, `maxItems`, `uniqueItems`) and
//! allowed values (`enum`), through nested objects, array items,
//! `$ref`s, `allOf`/`anyOf`/`oneOf`. Each invocation is checked before the
//! extractors decode it, so a broken rule is answered in the caller's
//! envelope with the parameter, the rule and a short excerpt of the value;
//! a value of the wrong type is left to the decoder, which says so.

mod check;
mod compile;

use serde_json::Value;

use crate::error::{ActionError, RequestPart, SchemaError};
use crate::event::AgentTarget;
use crate::extract::{Invocation, Source};
use crate::operation::{OperationDoc, ParamLocation};

use check::Trail;
use compile::{Compiler, NodeId, Rules};

/// The compiled rules of one handler: its query and path parameters and its
/// body, as its extractors documented them.
#[derive(Debug, Clone, Default)]
pub(crate) struct HandlerChecks {
    rules: Rules,
    query: Vec<(String, NodeId)>,
    path: Vec<(String, NodeId)>,
    body: Option<NodeId>,
}

impl HandlerChecks {
    /// Compiles what `doc` documents; `handler` names the handler in errors.
    pub(crate) fn compile(doc: &OperationDoc, handler: &str) -> Result<Self, SchemaError> {
        let mut compiler = Compiler::new(&doc.components);
        let mut query = Vec::new();
        let mut path = Vec::new();
        let error = |location: String, e: compile::RuleError| SchemaError::InvalidRule {
            operation: handler.to_owned(),
            location: format!("{location} ({})", e.location),
            problem: e.problem,
        };
        for p in &doc.parameters {
            let (list, noun) = match p.location {
                ParamLocation::Query => (&mut query, "query parameter"),
                ParamLocation::Path => (&mut path, "path parameter"),
            };
            let id = compiler
                .compile(&p.schema, "")
                .map_err(|e| error(format!("{noun} `{}`", p.name), e))?;
            list.push((p.name.clone(), id));
        }
        let body = match &doc.request_body {
            Some(schema) => Some(
                compiler
                    .compile(schema, "")
                    .map_err(|e| error("the request body".to_owned(), e))?,
            ),
            None => None,
        };
        let rules = compiler.finish();
        let active = |id: &NodeId| rules.nodes[*id].active;
        Ok(Self {
            query: query.into_iter().filter(|(_, id)| active(id)).collect(),
            path: path.into_iter().filter(|(_, id)| active(id)).collect(),
            body: body.filter(active),
            rules,
        })
    }

    /// Whether there is nothing to check.
    fn is_empty(&self) -> bool {
        self.query.is_empty() && self.path.is_empty() && self.body.is_none()
    }

    /// Checks the parts of `invocation` this handler's extractors read.
    pub(crate) fn check(&self, invocation: &Invocation<'_>) -> Result<(), ActionError> {
        if self.is_empty() {
            return Ok(());
        }
        let parameters = match invocation.source {
            Source::Agent(event) => &event.parameters,
            Source::Task(input) | Source::Tool(input) => input,
        };
        for (list, part) in [
            (&self.query, RequestPart::Query),
            (&self.path, RequestPart::Path),
        ] {
            for (name, id) in list {
                if let Some(value) = parameters.get(name) {
                    self.rules
                        .check(*id, value, Trail::Field(name, &Trail::Root))
                        .map_err(|e| ActionError::from_decode(caller_part(invocation, part), &e))?;
                }
            }
        }
        if let Some(id) = self.body
            && let Some(body) = body_value(invocation)
        {
            self.rules.check(id, body, Trail::Root).map_err(|e| {
                ActionError::from_decode(caller_part(invocation, RequestPart::Body), &e)
            })?;
        }
        Ok(())
    }
}

/// The value [`Body`](crate::Body) decodes: the request body, a function's
/// parameters, a task's input, a tool's arguments.
fn body_value<'a>(invocation: &Invocation<'a>) -> Option<&'a Value> {
    match invocation.source {
        Source::Agent(event) => match (&event.target, &event.body) {
            (_, Some(body)) => Some(body),
            (AgentTarget::Function { .. }, None) => Some(&event.parameters),
            (AgentTarget::Api { .. }, None) => None,
        },
        Source::Task(input) | Source::Tool(input) => Some(input),
    }
}

/// The part of the request as this caller knows it: a task's input fields,
/// a tool's arguments, a function-details function's arguments, otherwise
/// the OpenAPI part the extractor reads.
pub(crate) fn caller_part(invocation: &Invocation<'_>, part: RequestPart) -> RequestPart {
    match invocation.source {
        Source::Task(_) => RequestPart::Input,
        Source::Tool(_) => RequestPart::Argument,
        Source::Agent(event) if matches!(event.target, AgentTarget::Function { .. }) => {
            RequestPart::FunctionArgument
        }
        Source::Agent(_) => part,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::decode::DecodeError;

    fn body_rules(
        schema: Value,
        components: &[(&str, Value)],
    ) -> Result<HandlerChecks, SchemaError> {
        let mut doc = OperationDoc {
            request_body: Some(schema),
            ..OperationDoc::default()
        };
        for (name, schema) in components {
            doc.components.insert((*name).to_owned(), schema.clone());
        }
        HandlerChecks::compile(&doc, "test::handler")
    }

    fn check(checks: &HandlerChecks, value: Value) -> Result<(), DecodeError> {
        match checks.body {
            Some(id) => checks.rules.check(id, &value, Trail::Root),
            None => Ok(()),
        }
    }

    #[test]
    fn openapi_30_exclusive_flags_make_the_bound_exclusive() {
        let checks = body_rules(
            json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1}),
            &[],
        )
        .unwrap();
        assert!(check(&checks, json!(0)).is_err());
        assert!(check(&checks, json!("0.5")).is_ok());
        assert!(check(&checks, json!(1)).is_ok());
        let err = check(&checks, json!(2)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the input must be greater than 0 and at most 1; received 2"
        );
    }

    #[test]
    fn rules_that_cannot_be_enforced_are_schema_errors() {
        for schema in [
            json!({"type": "string", "pattern": "(?<=a)b"}),
            json!({"type": "integer", "multipleOf": 0}),
            json!({"type": "integer", "maximum": "ten"}),
            json!({"type": "string", "maxLength": -1}),
        ] {
            let err = body_rules(schema.clone(), &[]).unwrap_err();
            assert!(
                matches!(err, SchemaError::InvalidRule { .. }),
                "{schema}: {err}"
            );
            assert!(
                err.to_string()
                    .starts_with("test::handler: the request body"),
                "{err}"
            );
        }
    }

    #[test]
    fn recursive_references_compile_once_and_check_every_level() {
        let node = json!({
            "type": "object",
            "properties": {
                "label": {"type": "string", "maxLength": 3},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
            }
        });
        let checks = body_rules(
            json!({"$ref": "#/components/schemas/Node"}),
            &[("Node", node)],
        )
        .unwrap();
        let deep =
            json!({"label": "a", "children": [{"label": "b", "children": [{"label": "long"}]}]});
        let err = check(&checks, deep).unwrap_err();
        assert_eq!(err.path(), "children[0].children[0].label");
    }

    #[test]
    fn a_null_branch_admits_null_and_the_other_branch_is_checked() {
        let checks = body_rules(
            json!({"type": "object", "properties": {"n": {"oneOf": [{"type": "null"}, {"type": "integer", "maximum": 5}]}}}),
            &[],
        )
        .unwrap();
        assert!(check(&checks, json!({"n": null})).is_ok());
        assert!(check(&checks, json!({"n": "5"})).is_ok());
        let err = check(&checks, json!({"n": "6"})).unwrap_err();
        assert_eq!(err.path(), "n");
        // A value of another type is the decoder's to refuse.
        assert!(check(&checks, json!({"n": "six"})).is_ok());
    }

    #[test]
    fn schemas_without_rules_check_nothing() {
        let checks = body_rules(
            json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "array", "items": {"type": "integer"}}}}),
            &[],
        )
        .unwrap();
        assert!(checks.is_empty());
    }
}
