//! A handler declared once and exposed many ways: [`Action`] carries the
//! handler, its description and statuses, and every route, function and
//! task it serves; [`Resolver::register`] exposes them all. The
//! [`action`](crate::action) attribute builds one from a handler's doc
//! comment.

use std::sync::Arc;

use crate::error::ActionError;
use crate::extract::Invocation;
use crate::handler::{Erased, ErasedHandler, Handler, ReplyFuture};
use crate::operation::{Operation, OperationDoc};
use crate::resolver::Resolver;
use crate::route::Method;

type MakeHandler<S> = Arc<dyn Fn() -> Box<dyn ErasedHandler<S>> + Send + Sync>;

/// A handler with everything said about it once: its description, the
/// statuses it answers, and where it is exposed — OpenAPI routes,
/// function-details functions, Step Functions tasks (every route and
/// function is also an AgentCore Gateway tool).
///
/// Usually written by the [`action`](crate::action) attribute; build one by
/// hand for a handler without it:
///
/// ```
/// use actionkit::{Action, Json, Method, Resolver};
///
/// async fn ping() -> Json<&'static str> {
///     Json("pong")
/// }
///
/// let resolver = Resolver::new("Health").register(
///     Action::new("ping", ping)
///         .description("Checks that the service answers")
///         .route(Method::Get, "/ping")
///         .function("ping")
///         .task("Ping"),
/// );
/// let doc = resolver.openapi_document().unwrap();
/// assert_eq!(doc["paths"]["/ping"]["get"]["description"], "Checks that the service answers");
/// assert_eq!(resolver.function_schema().unwrap()["functions"][0]["name"], "ping");
/// ```
pub struct Action<S> {
    name: String,
    operation: Operation,
    routes: Vec<(Method, String)>,
    functions: Vec<String>,
    tasks: Vec<String>,
    make: MakeHandler<S>,
    describe: fn(&mut OperationDoc),
}

impl<S> std::fmt::Debug for Action<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Action")
            .field("name", &self.name)
            .field("routes", &self.routes)
            .field("functions", &self.functions)
            .field("tasks", &self.tasks)
            .finish_non_exhaustive()
    }
}

impl<S: Clone + Send + Sync + 'static> Action<S> {
    /// An action named `name` (its label in logs and the default name of
    /// its function and task) serving `handler`, exposed nowhere yet.
    pub fn new<H, Args>(name: impl Into<String>, handler: H) -> Self
    where
        H: Handler<Args, S>,
        Args: 'static,
    {
        Self {
            name: name.into(),
            operation: Operation::default(),
            routes: Vec::new(),
            functions: Vec::new(),
            tasks: Vec::new(),
            make: Arc::new(move || Erased::boxed(handler.clone())),
            describe: H::describe,
        }
    }
}

impl<S> Action<S> {
    /// The action's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The description the model reads to choose it (the doc comment,
    /// with the attribute).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.operation.description = description.into();
        self
    }

    /// Exposes it as the OpenAPI route `method path`.
    pub fn route(mut self, method: Method, path: impl Into<String>) -> Self {
        self.routes.push((method, path.into()));
        self
    }

    /// Exposes it as the function-details function `name`.
    pub fn function(mut self, name: impl Into<String>) -> Self {
        self.functions.push(name.into());
        self
    }

    /// Exposes it as the Step Functions task `name`.
    pub fn task(mut self, name: impl Into<String>) -> Self {
        self.tasks.push(name.into());
        self
    }

    /// The status of its success responses, documented and answered (see
    /// [`Operation::status`]).
    pub fn status(mut self, status: u16) -> Self {
        self.operation = self.operation.status(status);
        self
    }

    /// Documents an error status it can answer besides 400 and 500 (see
    /// [`Operation::error_status`]).
    pub fn error_status(mut self, status: u16) -> Self {
        self.operation = self.operation.error_status(status);
        self
    }

    /// Overrides the derived `operationId` of its route.
    pub fn operation_id(mut self, id: impl Into<String>) -> Self {
        self.operation = self.operation.operation_id(id);
        self
    }

    /// Overrides its AgentCore Gateway tool name.
    pub fn tool_name(mut self, name: impl Into<String>) -> Self {
        self.operation = self.operation.tool_name(name);
        self
    }

    /// A short summary shown next to the description.
    pub fn summary(mut self, summary: impl Into<String>) -> Self {
        self.operation = self.operation.summary(summary);
        self
    }

    /// Asks the agent to confirm with the user before calling.
    pub fn require_confirmation(mut self) -> Self {
        self.operation = self.operation.require_confirmation();
        self
    }
}

/// What [`Resolver::register`] takes: an [`Action`], or a handler declared
/// with the [`action`](crate::action) attribute.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an action for a resolver with state `{S}`",
    note = "declare the handler with `#[actionkit::action(..)]`, or build an `actionkit::Action::new(name, handler)`",
    note = "a handler taking `State<T>` only registers on a `Resolver::with_state(.., T)`"
)]
pub trait IntoAction<S> {
    /// The action, with everything said about it.
    fn into_action(self) -> Action<S>;
}

impl<S> IntoAction<S> for Action<S> {
    fn into_action(self) -> Action<S> {
        self
    }
}

/// What [`Resolver::register`] takes: one action (an [`Action`] or a
/// handler declared with [`action`](crate::action)), or a tuple of them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an action, nor a tuple of actions, for a resolver with state `{S}`",
    note = "declare each handler with `#[actionkit::action(..)]`, or build an `actionkit::Action::new(name, handler)`; register several as a tuple `(a, b, c)`"
)]
pub trait Actions<S> {
    /// Appends the actions to `out`, in order.
    fn collect_into(self, out: &mut Vec<Action<S>>);
}

impl<S> Actions<S> for Action<S> {
    fn collect_into(self, out: &mut Vec<Action<S>>) {
        out.push(self);
    }
}

macro_rules! tuple_actions {
    ($($name:ident),+) => {
        impl<S, $($name: IntoAction<S>),+> Actions<S> for ($($name,)+) {
            #[allow(non_snake_case)]
            fn collect_into(self, out: &mut Vec<Action<S>>) {
                let ($($name,)+) = self;
                $(out.push($name.into_action());)+
            }
        }
    };
}

tuple_actions!(A1);
tuple_actions!(A1, A2);
tuple_actions!(A1, A2, A3);
tuple_actions!(A1, A2, A3, A4);
tuple_actions!(A1, A2, A3, A4, A5);
tuple_actions!(A1, A2, A3, A4, A5, A6);
tuple_actions!(A1, A2, A3, A4, A5, A6, A7);
tuple_actions!(A1, A2, A3, A4, A5, A6, A7, A8);
tuple_actions!(A1, A2, A3, A4, A5, A6, A7, A8, A9);
tuple_actions!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10);
tuple_actions!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11);
tuple_actions!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12);

/// A route's handler whose plain successes answer the declared status.
struct WithStatus<S> {
    inner: Box<dyn ErasedHandler<S>>,
    status: u16,
}

impl<S> ErasedHandler<S> for WithStatus<S> {
    fn start(&self, invocation: &Invocation<'_>, state: &S) -> Result<ReplyFuture, ActionError> {
        let future = self.inner.start(invocation, state)?;
        let status = self.status;
        Ok(Box::pin(async move {
            let mut reply = future.await;
            // A status the handler chose itself (`Response::status`) wins.
            if reply.outcome.is_ok() && reply.status == 200 {
                reply.status = status;
            }
            reply
        }))
    }
}

/// The handler of a route, answering its declared success status.
pub(crate) fn with_status<S: 'static>(
    handler: Box<dyn ErasedHandler<S>>,
    operation: &Operation,
) -> Box<dyn ErasedHandler<S>> {
    match operation.status {
        Some(status) if status != 200 => Box::new(WithStatus {
            inner: handler,
            status,
        }),
        _ => handler,
    }
}

impl<S: Clone + Send + Sync + 'static> Resolver<S> {
    /// Registers actions everywhere they are exposed: each route, function
    /// and task an action declares, with one description. Takes one action
    /// or a tuple of them.
    ///
    /// ```
    /// use actionkit::{ActionError, Json, Path, Resolver, action, model};
    ///
    /// #[model]
    /// struct TicketId {
    ///     /// The ticket's id, e.g. T-1.
    ///     ticket_id: String,
    /// }
    ///
    /// /// Closes a ticket.
    /// #[action(POST "/tickets/{ticket_id}/close", function = "close_ticket", task = "CloseTicket", status = 202)]
    /// async fn close(Path(p): Path<TicketId>) -> Result<Json<String>, ActionError> {
    ///     Ok(Json(format!("{} closed", p.ticket_id)))
    /// }
    ///
    /// /// Reopens a ticket.
    /// #[action(POST "/tickets/{ticket_id}/reopen")]
    /// async fn reopen(Path(p): Path<TicketId>) -> Json<String> {
    ///     Json(format!("{} reopened", p.ticket_id))
    /// }
    ///
    /// let resolver = Resolver::new("Tickets").register((close, reopen));
    /// let doc = resolver.openapi_document().unwrap();
    /// let op = &doc["paths"]["/tickets/{ticket_id}/close"]["post"];
    /// assert_eq!(op["description"], "Closes a ticket.");
    /// assert!(op["responses"]["202"].is_object());
    /// assert_eq!(resolver.function_schema().unwrap()["functions"][0]["name"], "close_ticket");
    /// ```
    ///
    /// # Panics
    ///
    /// At registration (cold start), when an action is exposed nowhere, or
    /// as [`route`](Self::route), [`function`](Self::function) and
    /// [`task`](Self::task) do.
    pub fn register(mut self, actions: impl Actions<S>) -> Self {
        let mut list = Vec::new();
        actions.collect_into(&mut list);
        for action in list {
            self = self.register_one(action);
        }
        self
    }

    fn register_one(mut self, action: Action<S>) -> Self {
        assert!(
            !(action.routes.is_empty() && action.functions.is_empty() && action.tasks.is_empty()),
            "actionkit: action {} is exposed nowhere; give it a route, a function or a task",
            action.name
        );
        let operation = action.operation;
        // Compiled once, however many ways the action is exposed.
        let handler: Arc<dyn ErasedHandler<S>> = Arc::from((action.make)());
        let exposed = || -> Box<dyn ErasedHandler<S>> { Box::new(handler.clone()) };
        for (method, path) in &action.routes {
            let handler = with_status(exposed(), &operation);
            self = self.add_route(*method, path, operation.clone(), action.describe, handler);
        }
        for name in &action.functions {
            self = self.add_function(name, operation.clone(), action.describe, exposed());
        }
        for name in &action.tasks {
            self = self.add_task(name, exposed());
        }
        self
    }
}
