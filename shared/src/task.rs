//! Step Functions tasks: a payload in, the handler's JSON out (offloaded to
//! the payload store when large), or a task failure named
//! `<prefix>.<ErrorName>` that `Retry` and `Catch` can match.

use std::time::Instant;

use lambda_runtime::{Context, Diagnostic};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::ActionError;
use crate::event::RawPayload;
use crate::extract::{Invocation, Source};
use crate::failure::RuntimeFailure;
use crate::fit::label_excerpt;
use crate::handler::run_handler;
use crate::offload::PayloadRef;
use crate::resolver::{Resolver, STEP_FUNCTIONS_MAX_PAYLOAD_BYTES, TaskEntry};

impl<S: Clone + Send + Sync + 'static> Resolver<S> {
    /// Runs the task a payload names (or the only one) and answers its
    /// output, or a named task error.
    pub(crate) async fn answer_task(
        &self,
        raw: &RawPayload<'_>,
        context: &Context,
        started: Instant,
    ) -> Result<Box<RawValue>, Diagnostic> {
        let (task, input, always_offload) = self.select_task(raw.value())?;
        let loaded = match PayloadRef::from_input(input) {
            None => None,
            Some(reference) => Some(self.load_payload(reference).await.map_err(|e| {
                e.log();
                self.diagnostic(e.name(), e.message())
            })?),
        };
        let invocation = Invocation {
            source: Source::Task(loaded.as_ref().map_or(input, |(_, value)| value)),
            raw,
            loaded_text: loaded.as_ref().map(|(text, _)| text.as_str()),
            context,
        };
        let reply = run_handler(task.handler.as_ref(), &invocation, &self.state).await;
        let result = match reply.outcome {
            Ok(body) => match body.to_json() {
                Ok(json) => {
                    self.offload(json, &context.request_id, &task.name, always_offload)
                        .await
                }
                Err(e) => Err(ActionError::internal(format!(
                    "output serialization failed: {e}"
                ))),
            },
            Err(error) => Err(error),
        };
        let status = result.as_ref().map_or_else(ActionError::status, |_| 200);
        tracing::info!(
            mode = "task",
            task = %task.name,
            status,
            duration_us = started.elapsed().as_micros() as u64,
            "task answered"
        );
        match result {
            Ok(json) => RawValue::from_string(json).map_err(|e| {
                self.failure(
                    RuntimeFailure::Internal,
                    &format!("invalid output JSON: {e}"),
                )
            }),
            Err(error) => {
                error.log();
                Err(self.diagnostic(error.name(), error.message()))
            }
        }
    }

    /// Reads a referenced input from the payload store.
    async fn load_payload(
        &self,
        reference: Result<PayloadRef, ActionError>,
    ) -> Result<(String, Value), ActionError> {
        let reference = reference?;
        let Some((store, _)) = &self.payloads else {
            return Err(ActionError::new(
                400,
                "InvalidInput",
                "This function takes no `payload_ref` inputs.",
            ));
        };
        let not_json =
            || ActionError::new(400, "InvalidInput", "The referenced payload is not JSON.");
        let text = String::from_utf8(store.get(&reference).await?).map_err(|_| not_json())?;
        let value = serde_json::from_str(&text).map_err(|_| not_json())?;
        Ok((text, value))
    }

    /// Returns `json` as is, or writes it to the payload store and returns
    /// its reference when it is over the threshold (or `always`).
    async fn offload(
        &self,
        json: String,
        request_id: &str,
        task: &str,
        always: bool,
    ) -> Result<String, ActionError> {
        match &self.payloads {
            Some((store, above)) if always || json.len() > *above => {
                let id = if request_id.is_empty() {
                    "local"
                } else {
                    request_id
                };
                let name = format!("{task}/{id}.json");
                let reference = store.put(&name, json.into_bytes()).await?;
                tracing::info!(bytes = reference.bytes, "task output offloaded");
                Ok(reference.to_value().to_string())
            }
            None if always => Err(ActionError::new(
                500,
                "PayloadStoreMissing",
                "The task was asked for `\"output\": \"payload_ref\"`, but this function has no payload store (set PAYLOAD_BUCKET).",
            )),
            _ if json.len() > STEP_FUNCTIONS_MAX_PAYLOAD_BYTES => Err(ActionError::new(
                500,
                "OutputTooLarge",
                format!(
                    "The task output is {} bytes, over Step Functions' {}-byte state limit, and no payload store is configured.",
                    json.len(),
                    STEP_FUNCTIONS_MAX_PAYLOAD_BYTES
                ),
            )),
            _ => Ok(json),
        }
    }

    /// The task, its input, and whether its output must go to the payload
    /// store whatever its size.
    fn select_task<'e>(
        &self,
        event: &'e Value,
    ) -> Result<(&TaskEntry<S>, &'e Value, bool), Diagnostic> {
        if self.tasks.is_empty() {
            return Err(self.failure(
                RuntimeFailure::MalformedEvent,
                "malformed event: this function serves Bedrock Agent action groups only, \
                 and the payload is not a Bedrock agent event",
            ));
        }
        if let Value::Object(map) = event
            && let (Some(Value::String(name)), Some(input)) = (map.get("task"), map.get("input"))
            && (map.len() == 2 || (map.len() == 3 && map.contains_key("output")))
        {
            let always_offload = match map.get("output") {
                None => false,
                Some(Value::String(o)) if o == "payload_ref" => true,
                Some(_) => {
                    return Err(self.diagnostic(
                        "InvalidInput",
                        "`output` may only be \"payload_ref\" (write the output to the payload store)",
                    ));
                }
            };
            return match self.tasks.iter().find(|t| &t.name == name) {
                Some(task) => Ok((task, input, always_offload)),
                None => Err(self.failure(
                    RuntimeFailure::UnknownTask,
                    &self.unknown_task_message(name),
                )),
            };
        }
        match self.tasks.as_slice() {
            [only] => Ok((only, event, false)),
            _ => Err(self.failure(
                RuntimeFailure::UnknownTask,
                &format!(
                    "this function serves several tasks ({}); send {{\"task\": NAME, \"input\": {{...}}}}",
                    self.task_names()
                ),
            )),
        }
    }

    fn unknown_task_message(&self, name: &str) -> String {
        format!(
            "there is no task {}; tasks served: {}",
            label_excerpt(name),
            self.task_names()
        )
    }

    fn task_names(&self) -> String {
        self.tasks
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
