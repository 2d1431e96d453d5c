//! The resolver: routes Bedrock Agent events (both action-group modes) and
//! Step Functions task payloads to typed handlers.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::time::Instant;

use futures_util::FutureExt;
use lambda_runtime::{Context, Diagnostic};
use serde_json::Value;
use serde_json::value::RawValue;
use tracing::Instrument;

use crate::envelope::{EnvelopeCommon, api_envelope, function_envelope};
use crate::error::ActionError;
use crate::event::{AgentEvent, AgentTarget, Incoming, RawPayload, classify};
use crate::extract::{Invocation, Source};
use crate::fit::{Echo, excerpt_bytes, fit_body, fit_error, fit_tool_error, label_excerpt};
use crate::handler::{Erased, ErasedHandler, Handler};
use crate::offload::{PayloadRef, PayloadStore};
use crate::operation::{Operation, OperationDoc};
use crate::response::{AttributeChange, Reply, ReplyBody};
use crate::route::{Method, PathTemplate};
use crate::tools::{GATEWAY_SEPARATOR, ToolEntry, ToolTarget, gateway_tool_name};

/// Bedrock's limit on a Lambda response to an agent.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 25_000;

/// Step Functions' limit on a state's input or output (256 KiB).
pub const STEP_FUNCTIONS_MAX_PAYLOAD_BYTES: usize = 262_144;

/// Step Functions keeps at most this much of an error's cause; longer
/// task error messages are cut to it.
const MAX_ERROR_MESSAGE_BYTES: usize = 32_768;

pub(crate) struct RouteEntry<S> {
    pub(crate) method: Method,
    pub(crate) template: PathTemplate,
    pub(crate) operation: Operation,
    pub(crate) doc: OperationDoc,
    handler: Box<dyn ErasedHandler<S>>,
}

pub(crate) struct FunctionEntry<S> {
    pub(crate) name: String,
    pub(crate) operation: Operation,
    pub(crate) doc: OperationDoc,
    handler: Box<dyn ErasedHandler<S>>,
}

struct TaskEntry<S> {
    name: String,
    handler: Box<dyn ErasedHandler<S>>,
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
    state: S,
    pub(crate) routes: Vec<RouteEntry<S>>,
    pub(crate) functions: Vec<FunctionEntry<S>>,
    tasks: Vec<TaskEntry<S>>,
    max_response_bytes: usize,
    error_prefix: String,
    payloads: Option<(Box<dyn PayloadStore>, usize)>,
    pub(crate) tools: Vec<ToolEntry>,
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
        }
    }

    /// The largest agent response sent as is (default 25,000 bytes, the
    /// whole serialized envelope). Larger replies are trimmed (see
    /// [`TrimToFit`](crate::TrimToFit)) or answered with `ResponseTooLarge`.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
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
    pub fn route<H, Args>(
        mut self,
        method: Method,
        path: &str,
        operation: impl Into<Operation>,
        handler: H,
    ) -> Self
    where
        H: Handler<Args, S>,
        Args: 'static,
    {
        let template = PathTemplate::parse(path);
        assert!(
            !self
                .routes
                .iter()
                .any(|r| r.method == method && r.template.as_str() == path),
            "actionkit: {method} {path} is registered twice"
        );
        let mut doc = OperationDoc::default();
        H::describe(&mut doc);
        let operation = operation.into();
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
            doc,
            handler: Erased::boxed(handler),
        });
        self
    }

    /// Records a tool name; two operations may not share one.
    fn add_tool(&mut self, name: String, target: ToolTarget, label: &str) {
        if let Some(existing) = self.tools.iter().find(|t| t.name == name) {
            panic!(
                "actionkit: tool name `{name}` of {label} is already used by {}; set Operation::tool_name",
                existing.label
            );
        }
        self.tools.push(ToolEntry {
            name,
            target,
            label: label.to_owned(),
        });
    }

    /// Registers a `GET` route. See [`route`](Self::route).
    pub fn get<H: Handler<Args, S>, Args: 'static>(
        self,
        path: &str,
        operation: impl Into<Operation>,
        handler: H,
    ) -> Self {
        self.route(Method::Get, path, operation, handler)
    }

    /// Registers a `POST` route. See [`route`](Self::route).
    pub fn post<H: Handler<Args, S>, Args: 'static>(
        self,
        path: &str,
        operation: impl Into<Operation>,
        handler: H,
    ) -> Self {
        self.route(Method::Post, path, operation, handler)
    }

    /// Registers a `PUT` route. See [`route`](Self::route).
    pub fn put<H: Handler<Args, S>, Args: 'static>(
        self,
        path: &str,
        operation: impl Into<Operation>,
        handler: H,
    ) -> Self {
        self.route(Method::Put, path, operation, handler)
    }

    /// Registers a `PATCH` route. See [`route`](Self::route).
    pub fn patch<H: Handler<Args, S>, Args: 'static>(
        self,
        path: &str,
        operation: impl Into<Operation>,
        handler: H,
    ) -> Self {
        self.route(Method::Patch, path, operation, handler)
    }

    /// Registers a `DELETE` route. See [`route`](Self::route).
    pub fn delete<H: Handler<Args, S>, Args: 'static>(
        self,
        path: &str,
        operation: impl Into<Operation>,
        handler: H,
    ) -> Self {
        self.route(Method::Delete, path, operation, handler)
    }

    /// Registers a function of a function-details action group. Its
    /// parameters are those of its [`Query`](crate::Query) /
    /// [`Body`](crate::Body) extractors.
    ///
    /// # Panics
    ///
    /// When a function with that name is already registered.
    pub fn function<H, Args>(
        mut self,
        name: &str,
        operation: impl Into<Operation>,
        handler: H,
    ) -> Self
    where
        H: Handler<Args, S>,
        Args: 'static,
    {
        assert!(
            !self.functions.iter().any(|f| f.name == name),
            "actionkit: function {name} is registered twice"
        );
        let mut doc = OperationDoc::default();
        H::describe(&mut doc);
        let operation = operation.into();
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
            doc,
            handler: Erased::boxed(handler),
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
    /// When a task with that name is already registered.
    pub fn task<H, Args>(mut self, name: &str, handler: H) -> Self
    where
        H: Handler<Args, S>,
        Args: 'static,
    {
        assert!(
            !self.tasks.iter().any(|t| t.name == name),
            "actionkit: task {name} is registered twice"
        );
        self.tasks.push(TaskEntry {
            name: name.to_owned(),
            handler: Erased::boxed(handler),
        });
        self
    }

    /// Answers one invocation given as JSON text (what the Lambda runtime
    /// hands over): an agent event gets an agent response (errors included,
    /// as 4xx/5xx or `REPROMPT`/`FAILURE`); a task payload gets its output
    /// or a named task error. Only a malformed agent event, or a payload this
    /// function does not serve, is a Lambda error (`<prefix>.MalformedEvent`).
    pub async fn handle_json(
        &self,
        event: &str,
        context: Context,
    ) -> Result<Box<RawValue>, Diagnostic> {
        let started = Instant::now();
        let span = tracing::info_span!("invocation", request_id = %context.request_id);
        async {
            if let Some(tool) = gateway_tool_name(&context) {
                return Ok(self.answer_tool(&tool, event, &context, started).await);
            }
            match classify(event) {
                Ok(Incoming::Agent(agent)) => {
                    let raw = RawPayload::new(event);
                    Ok(self.answer_agent(*agent, &raw, &context, started).await)
                }
                Ok(Incoming::Task(value)) => {
                    let raw = RawPayload::parsed(event, value);
                    self.run_task(&raw, &context, started).await
                }
                Err(malformed) => {
                    tracing::warn!(
                        error = "MalformedEvent",
                        duration_us = started.elapsed().as_micros() as u64,
                        "{malformed}"
                    );
                    Err(self.diagnostic("MalformedEvent", &malformed.to_string()))
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

    pub(crate) fn diagnostic(&self, name: &str, message: &str) -> Diagnostic {
        let error_type = if name.contains('.') {
            name.to_owned()
        } else {
            format!("{}.{name}", self.error_prefix)
        };
        Diagnostic {
            error_type: excerpt_bytes(&error_type, 256),
            error_message: excerpt_bytes(message, MAX_ERROR_MESSAGE_BYTES),
        }
    }

    /// Extracts the arguments and runs a handler, turning panics into 500s.
    async fn run(&self, handler: &dyn ErasedHandler<S>, invocation: &Invocation<'_>) -> Reply {
        let started =
            std::panic::catch_unwind(AssertUnwindSafe(|| handler.start(invocation, &self.state)));
        match started {
            Err(_) => Reply::error(ActionError::internal(
                "handler panicked while decoding its arguments",
            )),
            Ok(Err(rejection)) => Reply::error(rejection),
            Ok(Ok(future)) => match AssertUnwindSafe(future).catch_unwind().await {
                Ok(reply) => reply,
                Err(panic) => Reply::error(ActionError::internal(format!(
                    "handler panicked: {}",
                    panic_message(&panic)
                ))),
            },
        }
    }

    async fn answer_agent(
        &self,
        mut agent: AgentEvent,
        raw: &RawPayload<'_>,
        context: &Context,
        started: Instant,
    ) -> Box<RawValue> {
        let target = agent.target.clone();
        let (route_label, reply, echo_path) = match &target {
            AgentTarget::Api {
                api_path,
                http_method,
            } => {
                let found = self.routes.iter().find_map(|r| {
                    if !r.method.matches(http_method) {
                        return None;
                    }
                    r.template.match_path(api_path).map(|values| (r, values))
                });
                match found {
                    Some((route, path_values)) => {
                        if let Value::Object(params) = &mut agent.parameters {
                            for (name, value) in path_values {
                                params.entry(name).or_insert(Value::String(value));
                            }
                        }
                        let invocation = Invocation {
                            source: Source::Agent(&agent),
                            raw,
                            context,
                        };
                        let reply = self.run(route.handler.as_ref(), &invocation).await;
                        (
                            format!("{} {}", route.method, route.template.as_str()),
                            reply,
                            route.template.as_str().to_owned(),
                        )
                    }
                    None => (
                        format!("{} {}", http_method.to_ascii_uppercase(), api_path),
                        Reply::error(self.unknown_operation(http_method, api_path)),
                        api_path.clone(),
                    ),
                }
            }
            AgentTarget::Function { name } => {
                let reply = match self.functions.iter().find(|f| &f.name == name) {
                    Some(function) => {
                        let invocation = Invocation {
                            source: Source::Agent(&agent),
                            raw,
                            context,
                        };
                        self.run(function.handler.as_ref(), &invocation).await
                    }
                    None => Reply::error(self.unknown_function(name)),
                };
                (name.clone(), reply, String::new())
            }
        };

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
            match &target {
                AgentTarget::Api { http_method, .. } => api_envelope(
                    &common,
                    &echo.label(&echo_path),
                    &echo.label(http_method),
                    status,
                    body,
                ),
                AgentTarget::Function { name } => {
                    function_envelope(&common, &echo.label(name), status, body)
                }
            }
        };
        let (status, rendered) = self.fit(reply.status, reply.outcome, render);
        tracing::info!(
            mode = if echo_path.is_empty() { "function" } else { "openapi" },
            action_group = %agent.action_group,
            route = %route_label,
            status,
            duration_us = started.elapsed().as_micros() as u64,
            response_bytes = rendered.get().len(),
            "agent request answered"
        );
        rendered
    }

    /// Renders a reply so that the whole envelope fits the agent limit:
    /// trimmed, or replaced with `ResponseTooLarge`; errors shortened too.
    fn fit(
        &self,
        status: u16,
        outcome: Result<Box<dyn ReplyBody>, ActionError>,
        render: impl Fn(u16, &str, Echo) -> Box<RawValue>,
    ) -> (u16, Box<RawValue>) {
        let fitted = outcome.and_then(|body| {
            fit_body(body, self.max_response_bytes, "an agent response", |json| {
                render(status, json, Echo::Full)
            })
        });
        match fitted {
            Ok(rendered) => (status, rendered),
            Err(error) => {
                log_error(&error);
                let status = error.status();
                let rendered = fit_error(&error, self.max_response_bytes, |body, echo| {
                    render(status, body, echo)
                });
                (status, rendered)
            }
        }
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

    async fn run_task(
        &self,
        raw: &RawPayload<'_>,
        context: &Context,
        started: Instant,
    ) -> Result<Box<RawValue>, Diagnostic> {
        let (task, input, always_offload) = self.select_task(raw.value())?;
        let loaded = match PayloadRef::from_input(input) {
            None => None,
            Some(reference) => Some(self.load_payload(reference).await.map_err(|e| {
                log_error(&e);
                self.diagnostic(e.name(), e.message())
            })?),
        };
        let invocation = Invocation {
            source: Source::Task(loaded.as_ref().unwrap_or(input)),
            raw,
            context,
        };
        let reply = self.run(task.handler.as_ref(), &invocation).await;
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
            Ok(json) => RawValue::from_string(json)
                .map_err(|e| self.diagnostic("Internal", &format!("invalid output JSON: {e}"))),
            Err(error) => {
                log_error(&error);
                Err(self.diagnostic(error.name(), error.message()))
            }
        }
    }

    /// Answers an AgentCore Gateway tool call: the handler's JSON, or a
    /// structured error result (`{"isError": true, "error": {...}}`). Never
    /// a Lambda error.
    async fn answer_tool(
        &self,
        full_name: &str,
        event: &str,
        context: &Context,
        started: Instant,
    ) -> Box<RawValue> {
        let tool = full_name
            .split_once(GATEWAY_SEPARATOR)
            .map_or(full_name, |(_, tool)| tool);
        let arguments = match serde_json::from_str::<Value>(event) {
            Ok(Value::Null) => Value::Object(serde_json::Map::new()),
            Ok(v @ Value::Object(_)) => v,
            _ => Value::Null,
        };
        let raw = RawPayload::parsed(event, arguments.clone());
        let outcome = match (self.tools.iter().find(|t| t.name == tool), &arguments) {
            (_, Value::Null) => Err(ActionError::new(
                400,
                "InvalidArguments",
                "The tool arguments must be a JSON object.",
            )),
            (None, _) => Err(self.unknown_tool(tool)),
            (Some(entry), _) => {
                let handler = match entry.target {
                    ToolTarget::Route(i) => self.routes[i].handler.as_ref(),
                    ToolTarget::Function(i) => self.functions[i].handler.as_ref(),
                };
                let invocation = Invocation {
                    source: Source::Tool(&arguments),
                    raw: &raw,
                    context,
                };
                let reply = self.run(handler, &invocation).await;
                reply.outcome.and_then(|body| {
                    fit_body(body, self.max_response_bytes, "a tool result", |json| {
                        // Serializer output, hence valid JSON.
                        RawValue::from_string(json.to_owned()).unwrap_or_default()
                    })
                })
            }
        };
        let (status, rendered) = match outcome {
            Ok(rendered) => (200, rendered),
            Err(error) => {
                log_error(&error);
                (
                    error.status(),
                    fit_tool_error(&error, self.max_response_bytes),
                )
            }
        };
        tracing::info!(
            mode = "tool",
            tool = %label_excerpt(tool),
            status,
            duration_us = started.elapsed().as_micros() as u64,
            response_bytes = rendered.get().len(),
            "tool call answered"
        );
        rendered
    }

    fn unknown_tool(&self, name: &str) -> ActionError {
        let available: Vec<&str> = self.tools.iter().map(|t| t.name.as_str()).collect();
        ActionError::new(
            404,
            "UnknownTool",
            format!(
                "There is no tool {}. Available tools: {}.",
                label_excerpt(name),
                available.join(", ")
            ),
        )
        .with_detail("available_tools", available)
    }

    /// Reads a referenced input from the payload store.
    async fn load_payload(
        &self,
        reference: Result<PayloadRef, ActionError>,
    ) -> Result<Value, ActionError> {
        let reference = reference?;
        let Some((store, _)) = &self.payloads else {
            return Err(ActionError::new(
                400,
                "InvalidInput",
                "This function takes no `payload_ref` inputs.",
            ));
        };
        let bytes = store.get(&reference).await?;
        serde_json::from_slice(&bytes).map_err(|_| {
            ActionError::new(400, "InvalidInput", "The referenced payload is not JSON.")
        })
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
            return Err(self.diagnostic(
                "MalformedEvent",
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
                None => Err(self.diagnostic("UnknownTask", &self.unknown_task_message(name))),
            };
        }
        match self.tasks.as_slice() {
            [only] => Ok((only, event, false)),
            _ => Err(self.diagnostic(
                "UnknownTask",
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

/// Logs an error reply (detail only for the operator).
fn log_error(error: &ActionError) {
    if error.status() >= 500 {
        tracing::error!(
            error = error.name(),
            status = error.status(),
            detail = error.log_detail().unwrap_or(""),
            "request failed"
        );
    } else {
        tracing::info!(
            error = error.name(),
            status = error.status(),
            "request rejected"
        );
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("non-string panic payload")
}
