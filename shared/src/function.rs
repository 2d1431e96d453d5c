//! Bedrock Agent action groups, function-details mode: the function an
//! event names runs, and its reply goes back as `TEXT` with `REPROMPT` for
//! 4xx (the model can fix its arguments) and `FAILURE` for 5xx.

use std::time::Instant;

use lambda_runtime::Context;
use serde_json::value::RawValue;

use crate::error::ActionError;
use crate::event::{AgentEvent, AgentTarget, RawPayload};
use crate::extract::{Invocation, Source};
use crate::fit::label_excerpt;
use crate::handler::run_handler;
use crate::resolver::Resolver;
use crate::response::Reply;

impl<S: Clone + Send + Sync + 'static> Resolver<S> {
    /// Answers a function-details agent event.
    pub(crate) async fn answer_function(
        &self,
        agent: AgentEvent,
        raw: &RawPayload<'_>,
        context: &Context,
        started: Instant,
    ) -> Box<RawValue> {
        let name = match &agent.target {
            AgentTarget::Function { name } => name.clone(),
            AgentTarget::Api { api_path, .. } => api_path.clone(),
        };
        let reply = match self.functions.iter().find(|f| f.name == name) {
            Some(function) => {
                let invocation = Invocation {
                    source: Source::Agent(&agent),
                    raw,
                    loaded_text: None,
                    context,
                };
                run_handler(function.handler.as_ref(), &invocation, &self.state).await
            }
            None => Reply::error(self.unknown_function(&name)),
        };
        self.respond(agent, reply, &label_excerpt(&name), started)
    }

    fn unknown_function(&self, name: &str) -> ActionError {
        let available: Vec<&str> = self.functions.iter().map(|f| f.name.as_str()).collect();
        ActionError::new(
            404,
            "UnknownFunction",
            format!(
                "There is no function {}. Available functions: {}.",
                label_excerpt(name),
                if available.is_empty() {
                    "none".to_owned()
                } else {
                    available.join(", ")
                }
            ),
        )
        .with_detail("available_functions", available)
    }
}
