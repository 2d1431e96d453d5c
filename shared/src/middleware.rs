//! Middleware: code that runs around every handler, or a group of them — an
//! authorization check on session attributes, an audit line, a timeout —
//! written once as an async function in the style of axum's `from_fn`.
//!
//! A middleware gets the [`Call`] (who calls which operation, with which
//! session attributes and context) and the [`Next`] step, and returns what
//! the caller gets: refuse by returning an [`ActionError`] (answered in the
//! caller's own envelope — a 403 for an agent's route, `<prefix>.Forbidden`
//! for a Step Functions task, an `isError` result for a Gateway tool) or go on
//! with `next.run().await`.
//!
//! [`Resolver::layer`] wraps every handler registered *before* it (as axum's
//! `Router::layer` does), so a group is the handlers above the call;
//! [`Resolver::layer_where`] wraps the registered handlers whose operation
//! matches a predicate. The last layer added runs first.
//!
//! ```
//! use std::time::Duration;
//!
//! use actionkit::middleware::{Call, Next, from_fn};
//! use actionkit::{ActionError, Json, Resolver};
//!
//! async fn escalate() -> Json<&'static str> {
//!     Json("escalated")
//! }
//!
//! async fn list() -> Json<Vec<String>> {
//!     Json(vec![])
//! }
//!
//! let resolver = Resolver::new("Tickets")
//!     .post("/tickets/{ticket_id}/escalate", "Escalate a ticket", escalate)
//!     // Only the routes above need a support lead.
//!     .layer(from_fn(|call: Call, next: Next| async move {
//!         if call.session_attribute("role") != Some("support-lead") {
//!             return Err(ActionError::forbidden(
//!                 "Escalating needs the support-lead role; ask a support lead.",
//!             ));
//!         }
//!         Ok(next.run().await)
//!     }))
//!     .get("/tickets", "List tickets", list)
//!     // Every route: an audit line with the outcome, no payload.
//!     .layer(from_fn(|call: Call, next: Next| async move {
//!         let reply = next.run().await;
//!         tracing::info!(operation = call.operation(), status = reply.status(), "audit");
//!         reply
//!     }))
//!     // One route: a timeout.
//!     .layer_where(
//!         |operation| operation == "GET /tickets",
//!         from_fn(|_: Call, next: Next| async move {
//!             tokio::time::timeout(Duration::from_secs(3), next.run())
//!                 .await
//!                 .map_err(|_| ActionError::unavailable("Listing tickets timed out; try again."))
//!         }),
//!     );
//! # let _ = resolver;
//! ```

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use lambda_runtime::Context;

use crate::error::ActionError;
use crate::event::AgentTarget;
use crate::extract::{Invocation, Source};
use crate::handler::ErasedHandler;
use crate::resolver::Resolver;
use crate::response::{IntoReply, Reply};

/// The future a [`Middleware`] returns: the reply the caller gets.
pub type ReplyFuture = Pin<Box<dyn Future<Output = Reply> + Send>>;

/// Who is calling: the envelope the reply will go back in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Caller {
    /// A Bedrock Agent action group in OpenAPI mode.
    AgentApi,
    /// A Bedrock Agent action group in function-details mode.
    AgentFunction,
    /// A Step Functions task (or a direct invocation).
    Task,
    /// An AgentCore Gateway tool call.
    Tool,
}

/// What a middleware knows of one call, before the handler runs.
#[derive(Debug, Clone)]
pub struct Call {
    caller: Caller,
    operation: Arc<str>,
    session_attributes: HashMap<String, String>,
    prompt_session_attributes: HashMap<String, String>,
    context: Context,
}

impl Call {
    fn new(invocation: &Invocation<'_>, operation: Arc<str>) -> Self {
        let (caller, session, prompt) = match invocation.source {
            Source::Agent(event) => (
                match event.target {
                    AgentTarget::Api { .. } => Caller::AgentApi,
                    AgentTarget::Function { .. } => Caller::AgentFunction,
                },
                event.session_attributes.clone(),
                event.prompt_session_attributes.clone(),
            ),
            Source::Task(_) => (Caller::Task, HashMap::new(), HashMap::new()),
            Source::Tool(_) => (Caller::Tool, HashMap::new(), HashMap::new()),
        };
        Self {
            caller,
            operation,
            session_attributes: session,
            prompt_session_attributes: prompt,
            context: invocation.context.clone(),
        }
    }

    /// Who is calling.
    pub fn caller(&self) -> Caller {
        self.caller
    }

    /// The operation as registered: `"GET /tickets/{ticket_id}"` for a route
    /// (the template, not the concrete path), the name for a function or
    /// task. A Gateway tool call names the route or function it reaches.
    pub fn operation(&self) -> &str {
        &self.operation
    }

    /// One of the agent session's `sessionAttributes` (`None` outside agent
    /// calls).
    pub fn session_attribute(&self, key: &str) -> Option<&str> {
        self.session_attributes.get(key).map(String::as_str)
    }

    /// All of the agent session's `sessionAttributes`.
    pub fn session_attributes(&self) -> &HashMap<String, String> {
        &self.session_attributes
    }

    /// The agent turn's `promptSessionAttributes`.
    pub fn prompt_session_attributes(&self) -> &HashMap<String, String> {
        &self.prompt_session_attributes
    }

    /// The Lambda context (request id, deadline, client context).
    pub fn context(&self) -> &Context {
        &self.context
    }
}

/// The rest of the chain: the inner middleware, then the handler.
///
/// The handler's arguments are decoded before the first middleware runs
/// (decoding has no side effects); a decoding error is what
/// [`run`](Self::run) answers, so a middleware that refuses the call first
/// answers its own refusal instead.
pub struct Next {
    started: Result<ReplyFuture, ActionError>,
}

impl std::fmt::Debug for Next {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Next")
            .field("decoded", &self.started.is_ok())
            .finish()
    }
}

impl Next {
    /// Runs the rest of the chain and returns its reply.
    pub async fn run(self) -> Reply {
        match self.started {
            Ok(future) => future.await,
            Err(rejection) => Reply::error(rejection),
        }
    }
}

/// Code run around handlers; build one with [`from_fn`].
pub trait Middleware: Send + Sync + 'static {
    /// Answers `call`, usually by running `next` at some point.
    fn call(&self, call: Call, next: Next) -> ReplyFuture;
}

/// A [`Middleware`] made of an async function `(Call, Next) -> impl
/// IntoReply` (a [`Reply`], or `Result<Reply, ActionError>` to refuse with
/// `?`). See the [module docs](self).
pub fn from_fn<F, Fut, R>(f: F) -> FromFn<F>
where
    F: Fn(Call, Next) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = R> + Send + 'static,
    R: IntoReply,
{
    FromFn(f)
}

/// The middleware [`from_fn`] returns.
#[derive(Debug, Clone)]
pub struct FromFn<F>(F);

impl<F, Fut, R> Middleware for FromFn<F>
where
    F: Fn(Call, Next) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = R> + Send + 'static,
    R: IntoReply,
{
    fn call(&self, call: Call, next: Next) -> ReplyFuture {
        let future = (self.0)(call, next);
        Box::pin(async move { future.await.into_reply() })
    }
}

impl IntoReply for Reply {
    fn into_reply(self) -> Reply {
        self
    }
}

impl Reply {
    /// The status the caller gets (200 for success unless the handler set
    /// another; an error's status otherwise), for audit lines.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The error's stable name (`"Forbidden"`, `"InvalidParameter"`), or
    /// `None` for a success.
    pub fn error_name(&self) -> Option<&str> {
        self.outcome.as_ref().err().map(ActionError::name)
    }
}

/// A handler wrapped in one middleware.
struct Layered<S> {
    inner: Box<dyn ErasedHandler<S>>,
    middleware: Arc<dyn Middleware>,
    operation: Arc<str>,
}

impl<S> ErasedHandler<S> for Layered<S> {
    fn start(&self, invocation: &Invocation<'_>, state: &S) -> Result<ReplyFuture, ActionError> {
        // A panic while decoding propagates to `run_handler`, which answers it.
        let next = Next {
            started: self.inner.start(invocation, state),
        };
        Ok(self
            .middleware
            .call(Call::new(invocation, self.operation.clone()), next))
    }
}

impl<S: Clone + Send + Sync + 'static> Resolver<S> {
    /// Wraps every route, function and task registered so far in
    /// `middleware` (handlers registered after this call are not wrapped).
    /// See [`middleware`](crate::middleware).
    pub fn layer(self, middleware: impl Middleware) -> Self {
        self.layer_where(|_| true, middleware)
    }

    /// Wraps the routes, functions and tasks registered so far whose
    /// operation (see [`Call::operation`]: `"POST /tickets"`, a function's or
    /// task's name) matches `filter`.
    pub fn layer_where(
        mut self,
        filter: impl Fn(&str) -> bool,
        middleware: impl Middleware,
    ) -> Self {
        let middleware: Arc<dyn Middleware> = Arc::new(middleware);
        let wrap = |handler: &mut Box<dyn ErasedHandler<S>>, operation: String| {
            if !filter(&operation) {
                return;
            }
            let inner = std::mem::replace(handler, Box::new(Placeholder));
            *handler = Box::new(Layered {
                inner,
                middleware: middleware.clone(),
                operation: operation.into(),
            });
        };
        for route in &mut self.routes {
            let operation = format!("{} {}", route.method, route.template.as_str());
            wrap(&mut route.handler, operation);
        }
        for function in &mut self.functions {
            wrap(&mut function.handler, function.name.clone());
        }
        for task in &mut self.tasks {
            wrap(&mut task.handler, task.name.clone());
        }
        self
    }
}

/// Holds a handler's slot for the instant it is being wrapped.
struct Placeholder;

impl<S> ErasedHandler<S> for Placeholder {
    fn start(&self, _: &Invocation<'_>, _: &S) -> Result<ReplyFuture, ActionError> {
        Err(ActionError::internal(
            "handler slot left empty while wrapping",
        ))
    }
}
