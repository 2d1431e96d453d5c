//! Bedrock Agent action groups, OpenAPI mode: the route an event names
//! (method and path template) runs, and its reply goes back in the
//! `apiPath`/`httpMethod` envelope; the envelope path both agent modes share
//! — session attributes, size limit, log line — is [`Resolver::respond`].

use std::collections::HashMap;
use std::time::Instant;

use lambda_runtime::Context;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::envelope::{EnvelopeCommon, api_envelope, function_envelope};
use crate::error::ActionError;
use crate::event::{AgentEvent, AgentTarget, RawPayload};
use crate::extract::{Invocation, Source};
use crate::fit::{Echo, fit_body, fit_error, label_excerpt};
use crate::handler::run_handler;
use crate::resolver::Resolver;
use crate::response::{AttributeChange, Reply};

impl<S: Clone + Send + Sync + 'static> Resolver<S> {
    /// Answers an OpenAPI-mode agent event.
    pub(crate) async fn answer_agent(
        &self,
        mut agent: AgentEvent,
        raw: &RawPayload<'_>,
        context: &Context,
        started: Instant,
    ) -> Box<RawValue> {
        let (api_path, http_method) = match &agent.target {
            AgentTarget::Api {
                api_path,
                http_method,
            } => (api_path.clone(), http_method.clone()),
            AgentTarget::Function { name } => (name.clone(), String::new()),
        };
        let found = self.routes.iter().find_map(|r| {
            if !r.method.matches(&http_method) {
                return None;
            }
            r.template.match_path(&api_path).map(|values| (r, values))
        });
        let Some((route, path_values)) = found else {
            let label = format!(
                "{} {}",
                http_method.to_ascii_uppercase(),
                label_excerpt(&api_path)
            );
            let reply = Reply::error(self.unknown_operation(&http_method, &api_path));
            return self.respond(agent, reply, &label, started);
        };
        if let Value::Object(params) = &mut agent.parameters {
            for (name, value) in path_values {
                params.entry(name).or_insert(Value::String(value));
            }
        }
        let invocation = Invocation {
            source: Source::Agent(&agent),
            raw,
            loaded_text: None,
            context,
        };
        let reply = run_handler(route.handler.as_ref(), &invocation, &self.state).await;
        let label = format!("{} {}", route.method, route.template.as_str());
        // The envelope echoes the template, as Bedrock sent it.
        agent.target = AgentTarget::Api {
            api_path: route.template.as_str().to_owned(),
            http_method,
        };
        self.respond(agent, reply, &label, started)
    }

    /// Sends `reply` back in the envelope of `agent`'s mode: session
    /// attributes applied, the whole envelope fitted to the size limit (errors
    /// included), one log line.
    pub(crate) fn respond(
        &self,
        mut agent: AgentEvent,
        reply: Reply,
        label: &str,
        started: Instant,
    ) -> Box<RawValue> {
        let mut session = std::mem::take(&mut agent.session_attributes);
        AttributeChange::apply(&reply.attributes.session, &mut session);
        let mut prompt_session = std::mem::take(&mut agent.prompt_session_attributes);
        AttributeChange::apply(&reply.attributes.prompt_session, &mut prompt_session);
        let no_attributes = HashMap::new();
        let render = |status: u16, body: &str, echo: Echo| {
            let bare = echo == Echo::Bare;
            let action_group = echo.label(&agent.action_group);
            let message_version = echo.label(&agent.message_version);
            let common = EnvelopeCommon {
                message_version: &message_version,
                action_group: &action_group,
                session_attributes: if bare { &no_attributes } else { &session },
                prompt_session_attributes: if bare {
                    &no_attributes
                } else {
                    &prompt_session
                },
                knowledge_bases: reply.attributes.knowledge_bases.as_ref().filter(|_| !bare),
            };
            match &agent.target {
                AgentTarget::Api {
                    api_path,
                    http_method,
                } => api_envelope(
                    &common,
                    &echo.label(api_path),
                    &echo.label(http_method),
                    status,
                    body,
                ),
                AgentTarget::Function { name } => {
                    function_envelope(&common, &echo.label(name), status, body)
                }
            }
        };
        let limit = self.max_response_bytes;
        let fitted = reply.outcome.and_then(|body| {
            fit_body(body, limit, "an agent response", |json| {
                render(reply.status, json, Echo::Full)
            })
        });
        let (status, rendered) = match fitted {
            Ok(rendered) => (reply.status, rendered),
            Err(error) => {
                error.log();
                let status = error.status();
                let rendered = fit_error(&error, limit, |body, echo| render(status, body, echo));
                (status, rendered)
            }
        };
        tracing::info!(
            mode = match agent.target {
                AgentTarget::Api { .. } => "openapi",
                AgentTarget::Function { .. } => "function",
            },
            action_group = %label_excerpt(&agent.action_group),
            route = %label,
            status,
            duration_us = started.elapsed().as_micros() as u64,
            response_bytes = rendered.get().len(),
            "agent request answered"
        );
        rendered
    }

    fn unknown_operation(&self, http_method: &str, api_path: &str) -> ActionError {
        let available: Vec<String> = self
            .routes
            .iter()
            .map(|r| format!("{} {}", r.method, r.template.as_str()))
            .collect();
        ActionError::new(
            404,
            "UnknownOperation",
            format!(
                "There is no operation {} {}. Available operations: {}.",
                http_method.to_ascii_uppercase(),
                label_excerpt(api_path),
                if available.is_empty() {
                    "none".to_owned()
                } else {
                    available.join(", ")
                }
            ),
        )
        .with_detail("available_operations", available)
    }
}
