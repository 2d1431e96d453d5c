//! The resolver: the builder, the registries, and the one dispatch of an
//! invocation ([`classify`] decides once) to the file that answers that
//! caller: `agent.rs` (OpenAPI action groups), `function.rs`
//! (function-details), `task.rs` (Step Functions), `gateway.rs` (AgentCore
//! Gateway tools).

use std::time::Instant;

use lambda_runtime::{Context, Diagnostic};
use serde_json::Value;
use serde_json::value::RawValue;
use tracing::Instrument;

use crate::event::{Incoming, RawPayload, classify};
use crate::failure::RuntimeFailure;
use crate::gateway::{ToolEntry, ToolTarget};
use crate::handler::{Erased, ErasedHandler, Handler};
use crate::offload::PayloadStore;
use crate::operation::{LazyDoc, Operation, OperationDoc};
use crate::route::{Method, PathTemplate};

/// Bedrock's limit on a Lambda response to an agent.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 25_000;

/// Step Functions' limit on a state's input or output (256 KiB).
pub const STEP_FUNCTIONS_MAX_PAYLOAD_BYTES: usize = 262_144;

/// Task outputs over this many bytes go to the payload store (see
/// [`Resolver::payload_store`]): 200 KiB leaves room in the 256 KiB state
/// for what the workflow keeps beside the output.
pub const OFFLOAD_ABOVE_BYTES: usize = 200 * 1024;

pub(crate) struct RouteEntry<S> {
    pub(crate) method: Method,
    pub(crate) template: PathTemplate,
    pub(crate) operation: Operation,
    pub(crate) doc: LazyDoc,
    pub(crate) handler: Box<dyn ErasedHandler<S>>,
}

pub(crate) struct FunctionEntry<S> {
    pub(crate) name: String,
    pub(crate) operation: Operation,
    pub(crate) doc: LazyDoc,
    pub(crate) handler: Box<dyn ErasedHandler<S>>,
}

pub(crate) struct TaskEntry<S> {
    pub(crate) name: String,
    pub(crate) handler: Box<dyn ErasedHandler<S>>,
}

/// One registration method per HTTP method, each a call of `route` (as
/// axum's `get`/`post`/... are written once).
macro_rules! method_shortcuts {
    ($($(#[$doc:meta])* $name:ident => $method:ident,)*) => {
        $(
            $(#[$doc])*
            pub fn $name<H: Handler<Args, S>, Args: 'static>(
                self,
                path: &str,
                operation: impl Into<Operation>,
                handler: H,
            ) -> Self {
                self.route(Method::$method, path, operation, handler)
            }
        )*
    };
}

/// Routes Bedrock Agent action-group events (OpenAPI and function-details
/// modes) and Step Functions task payloads to typed async handlers, and
/// generates the schemas the agent reads from the same handlers.
///
/// ```
/// use actionkit::{Json, Query, Resolver};
/// use serde::{Deserialize, Serialize};
/// use utoipa::{IntoParams, ToSchema};
///
/// #[derive(Deserialize, IntoParams)]
/// struct Lookup {
///     /// The city to look up.
///     city: String,
/// }
///
/// #[derive(Serialize, ToSchema)]
/// struct Weather {
///     /// Temperature in degrees Celsius.
///     celsius: f64,
/// }
///
/// async fn weather(Query(q): Query<Lookup>) -> Json<Weather> {
///     Json(Weather { celsius: if q.city == "Oslo" { 4.0 } else { 21.0 } })
/// }
///
/// let resolver = Resolver::new("Weather")
///     .get("/weather", "Current weather for a city", weather)
///     .function("current_weather", "Current weather for a city", weather);
/// let schema = resolver.openapi("Weather API", "1.0.0", "Weather lookups").unwrap();
/// assert_eq!(schema["openapi"], "3.0.0");
/// ```
pub struct Resolver<S = ()> {
    action_group: String,
    pub(crate) state: S,
    pub(crate) routes: Vec<RouteEntry<S>>,
    pub(crate) functions: Vec<FunctionEntry<S>>,
    pub(crate) tasks: Vec<TaskEntry<S>>,
    pub(crate) max_response_bytes: usize,
    pub(crate) error_prefix: String,
    pub(crate) payloads: Option<(Box<dyn PayloadStore>, usize)>,
    pub(crate) tools: Vec<ToolEntry>,
    pub(crate) info: Info,
}

/// The title, version and description of the generated OpenAPI document.
#[derive(Debug, Clone, Default)]
pub(crate) struct Info {
    pub(crate) title: String,
    pub(crate) version: String,
    pub(crate) description: String,
}

impl Resolver<()> {
    /// A resolver for the action group named `action_group` (used to check
    /// the tool names Bedrock derives), with no shared state.
    pub fn new(action_group: impl Into<String>) -> Self {
        Self::with_state(action_group, ())
    }
}

impl<S> Resolver<S> {
    /// The action group name given at construction.
    pub fn action_group(&self) -> &str {
        &self.action_group
    }
}

impl<S: Clone + Send + Sync + 'static> Resolver<S> {
    /// A resolver whose handlers can take [`State<S>`](crate::State): build
    /// SDK clients and configuration once, at cold start, and pass them here.
    pub fn with_state(action_group: impl Into<String>, state: S) -> Self {
        Self {
            action_group: action_group.into(),
            state,
            routes: Vec::new(),
            functions: Vec::new(),
            tasks: Vec::new(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            error_prefix: "ActionKit".to_owned(),
            payloads: None,
            tools: Vec::new(),
            info: Info::default(),
        }
    }

    /// The largest agent response sent as is (default 25,000 bytes, the
    /// whole serialized envelope). Larger replies are trimmed (see
    /// [`TrimToFit`](crate::TrimToFit)) or answered with `ResponseTooLarge`.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// The title, version and description of the OpenAPI document that
    /// [`openapi_document`](Self::openapi_document) and `--openapi` (see
    /// [`serve`](crate::serve)) produce.
    pub fn info(
        mut self,
        title: impl Into<String>,
        version: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        self.info = Info {
            title: title.into(),
            version: version.into(),
            description: description.into(),
        };
        self
    }

    /// The prefix of Step Functions error names: an error named
    /// `InvalidInput` is reported as `<prefix>.InvalidInput`. Default
    /// `ActionKit`.
    pub fn error_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.error_prefix = prefix.into();
        self
    }

    /// Offloads large task payloads: an input `{"payload_ref": {...}}` is read
    /// from `store`, and an output over `offload_above` bytes is written to
    /// it and replaced by its reference (Step Functions allows 256 KiB per
    /// state; leave room for the rest of the state).
    pub fn payload_store(
        mut self,
        store: impl PayloadStore + 'static,
        offload_above: usize,
    ) -> Self {
        self.payloads = Some((Box::new(store), offload_above));
        self
    }

    /// Registers a handler for `method` and the path template `path`.
    ///
    /// # Panics
    ///
    /// At registration (cold start), when the path is not a valid template
    /// or the same method and path are already registered.
    /// Also when a rule its types document cannot be enforced (a `pattern`
    /// the `regex` crate rejects), or its tool name is taken.
    pub fn route<H, Args>(
        self,
        method: Method,
        path: &str,
        operation: impl Into<Operation>,
        handler: H,
    ) -> Self
    where
        H: Handler<Args, S>,
        Args: 'static,
    {
        let operation = operation.into();
        let handler = crate::action::with_status(Erased::boxed(handler), &operation);
        self.add_route(method, path, operation, H::describe, handler)
    }

    /// [`route`](Self::route) for an erased handler: the one place routes
    /// are added, by `route` and by [`register`](Self::register).
    pub(crate) fn add_route(
        mut self,
        method: Method,
        path: &str,
        operation: Operation,
        describe: fn(&mut OperationDoc),
        handler: Box<dyn ErasedHandler<S>>,
    ) -> Self {
        let template = PathTemplate::parse(path);
        assert!(
            !self
                .routes
                .iter()
                .any(|r| r.method == method && r.template.as_str() == path),
            "actionkit: {method} {path} is registered twice"
        );
        let tool = operation
            .tool_name
            .clone()
            .or_else(|| operation.operation_id.clone())
            .unwrap_or_else(|| template.operation_id(method));
        self.add_tool(
            tool,
            ToolTarget::Route(self.routes.len()),
            &format!("{method} {path}"),
        );
        self.routes.push(RouteEntry {
            method,
            template,
            operation,
            doc: LazyDoc::new(describe),
            handler,
        });
        self
    }

    method_shortcuts! {
        /// Registers a `GET` route. See [`route`](Self::route).
        get => Get,
        /// Registers a `POST` route. See [`route`](Self::route).
        post => Post,
        /// Registers a `PUT` route. See [`route`](Self::route).
        put => Put,
        /// Registers a `PATCH` route. See [`route`](Self::route).
        patch => Patch,
        /// Registers a `DELETE` route. See [`route`](Self::route).
        delete => Delete,
    }

    /// Registers a function of a function-details action group. Its
    /// parameters are those of its [`Query`](crate::Query) /
    /// [`Body`](crate::Body) extractors.
    ///
    /// # Panics
    ///
    /// When a function with that name is already registered.
    /// Also when a rule its types document cannot be enforced (a `pattern`
    /// the `regex` crate rejects), or its tool name is taken.
    pub fn function<H, Args>(self, name: &str, operation: impl Into<Operation>, handler: H) -> Self
    where
        H: Handler<Args, S>,
        Args: 'static,
    {
        self.add_function(name, operation.into(), H::describe, Erased::boxed(handler))
    }

    /// [`function`](Self::function) for an erased handler.
    pub(crate) fn add_function(
        mut self,
        name: &str,
        operation: Operation,
        describe: fn(&mut OperationDoc),
        handler: Box<dyn ErasedHandler<S>>,
    ) -> Self {
        assert!(
            !self.functions.iter().any(|f| f.name == name),
            "actionkit: function {name} is registered twice"
        );
        let tool = operation
            .tool_name
            .clone()
            .unwrap_or_else(|| name.to_owned());
        self.add_tool(
            tool,
            ToolTarget::Function(self.functions.len()),
            &format!("function {name}"),
        );
        self.functions.push(FunctionEntry {
            name: name.to_owned(),
            operation,
            doc: LazyDoc::new(describe),
            handler,
        });
        self
    }

    /// Serves a handler as a Step Functions task (plain JSON in, JSON out).
    ///
    /// With one task registered, any payload that is not an agent event is
    /// its input. With several, the payload is `{"task": NAME, "input": {...}}`.
    /// Adding `"output": "payload_ref"` to that envelope writes the output to
    /// the payload store whatever its size, so that it never enters the
    /// execution history (for outputs that hold personal data).
    /// Errors fail the task under the name `<prefix>.<ErrorName>`.
    ///
    /// # Panics
    ///
    /// When a task with that name is already registered, or a rule its
    /// types document cannot be enforced (a `pattern` the `regex` crate
    /// rejects).
    pub fn task<H, Args>(self, name: &str, handler: H) -> Self
    where
        H: Handler<Args, S>,
        Args: 'static,
    {
        self.add_task(name, Erased::boxed(handler))
    }

    /// [`task`](Self::task) for an erased handler.
    pub(crate) fn add_task(mut self, name: &str, handler: Box<dyn ErasedHandler<S>>) -> Self {
        assert!(
            !self.tasks.iter().any(|t| t.name == name),
            "actionkit: task {name} is registered twice"
        );
        self.tasks.push(TaskEntry {
            name: name.to_owned(),
            handler,
        });
        self
    }

    /// Answers one invocation given as JSON text (what the Lambda runtime
    /// hands over): an agent event gets an agent response (errors included,
    /// as 4xx/5xx or `REPROMPT`/`FAILURE`), a Gateway tool call its result
    /// (errors as `isError` results), a task payload its output. The Lambda
    /// errors are a task's failure (`<prefix>.<ErrorName>`, what Step
    /// Functions matches), `<prefix>.MalformedEvent` for an agent event that
    /// cannot be read and `<prefix>.UnknownTask` for a task this function
    /// does not serve.
    pub async fn handle_json(
        &self,
        event: &str,
        context: Context,
    ) -> Result<Box<RawValue>, Diagnostic> {
        let started = Instant::now();
        let span = tracing::info_span!(
            "invocation",
            request_id = %context.request_id,
            trace_id = context.xray_trace_id.as_deref()
        );
        async {
            let incoming = classify(event, &context);
            crate::metrics::set_operation_of(&incoming);
            match incoming {
                Ok(Incoming::Agent(agent)) => {
                    let raw = RawPayload::new(event);
                    Ok(self.answer_agent(*agent, &raw, &context, started).await)
                }
                Ok(Incoming::Function(agent)) => {
                    let raw = RawPayload::new(event);
                    Ok(self.answer_function(*agent, &raw, &context, started).await)
                }
                Ok(Incoming::Task(value)) => {
                    let raw = RawPayload::parsed(event, value);
                    self.answer_task(&raw, &context, started).await
                }
                Ok(Incoming::Tool { name, arguments }) => {
                    let raw = RawPayload::parsed(event, arguments.clone().unwrap_or(Value::Null));
                    Ok(self
                        .answer_tool(&name, arguments, &raw, &context, started)
                        .await)
                }
                Ok(Incoming::Url(request)) => {
                    Ok(self.answer_url(*request, &context, started).await)
                }
                Err(malformed) => {
                    tracing::warn!(
                        error = "MalformedEvent",
                        duration_us = started.elapsed().as_micros() as u64,
                        "{malformed}"
                    );
                    Err(self.failure(RuntimeFailure::MalformedEvent, &malformed.to_string()))
                }
            }
        }
        .instrument(span)
        .await
    }

    /// [`handle_json`](Self::handle_json) for an already parsed event.
    pub async fn handle(
        &self,
        event: Value,
        context: Context,
    ) -> Result<Box<RawValue>, Diagnostic> {
        self.handle_json(&event.to_string(), context).await
    }
}
