//! The ecosystem's event type as an extractor: a handler can take
//! `aws_lambda_events`' [`AgentEvent`] of an OpenAPI-mode Bedrock Agent call,
//! so code migrating from a hand-written handler keeps the type it knows.

use aws_lambda_events::event::bedrock_agent_runtime::AgentEvent;

use crate::error::ActionError;
use crate::event::AgentTarget;
use crate::extract::{FromInvocation, Invocation, Source};

/// Takes the whole OpenAPI-mode agent event as
/// [`aws_lambda_events::event::bedrock_agent_runtime::AgentEvent`]
/// (re-exported as [`actionkit::AgentEvent`](crate::AgentEvent)).
///
/// It documents nothing in the schema: pair it with a typed extractor
/// ([`Query`](crate::Query), [`Body`](crate::Body)) for the parameters the
/// agent should see. Outside an OpenAPI-mode call (function details, a task,
/// a Gateway tool) it refuses with `UnsupportedCaller` (400), as that event
/// type only describes OpenAPI calls.
///
/// ```
/// use actionkit::{AgentEvent, Json, Resolver};
///
/// async fn echo_path(event: AgentEvent) -> Json<String> {
///     Json(format!("{} {}", event.http_method, event.api_path))
/// }
///
/// let resolver = Resolver::new("Tickets").get("/tickets", "List tickets", echo_path);
/// # let _ = resolver;
/// ```
impl<S> FromInvocation<S> for AgentEvent {
    fn from_invocation(invocation: &Invocation<'_>, _: &S) -> Result<Self, ActionError> {
        match invocation.source {
            Source::Agent(event) if matches!(event.target, AgentTarget::Api { .. }) => {
                // The text as received: Bedrock's exact event, not actionkit's
                // reading of it.
                serde_json::from_str(invocation.input_text()).map_err(|e| {
                    ActionError::new(
                        400,
                        "MalformedEvent",
                        format!(
                            "The agent event does not have the shape of an OpenAPI action-group event (line {}, column {}).",
                            e.line(),
                            e.column()
                        ),
                    )
                })
            }
            _ => Err(ActionError::new(
                400,
                "UnsupportedCaller",
                "This operation reads the Bedrock Agent OpenAPI event and only answers OpenAPI action-group calls.",
            )),
        }
    }
}
