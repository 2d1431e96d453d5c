//! Extractors: the typed arguments a handler takes. Each one both decodes
//! itself from the invocation and describes itself into the schema.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::decode::decode;
use crate::error::{ActionError, RequestPart};
use crate::event::{AgentEvent, RawPayload};
use crate::operation::OperationDoc;

/// The source of one invocation, as extractors see it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Source<'a> {
    /// A Bedrock Agent action-group event (either mode).
    Agent(&'a AgentEvent),
    /// A Step Functions task payload or direct invocation: the input itself.
    Task(&'a Value),
    /// An AgentCore Gateway tool call: the tool's arguments object.
    Tool(&'a Value),
}

/// Everything extractors can read for one invocation.
///
/// Extractors get it by reference; build your own with
/// [`FromInvocation`].
#[derive(Debug, Clone, Copy)]
pub struct Invocation<'a> {
    pub(crate) source: Source<'a>,
    pub(crate) raw: &'a RawPayload<'a>,
    /// The text of a task input read from the payload store.
    pub(crate) loaded_text: Option<&'a str>,
    pub(crate) context: &'a lambda_runtime::Context,
}

impl<'a> Invocation<'a> {
    /// The raw event as received.
    pub fn raw_event(&self) -> &'a Value {
        self.raw.value()
    }

    /// The JSON text the input was decoded from, for checks a parsed value
    /// cannot make (an object with the same key twice): the payload as
    /// received, or, for a task input read from the payload store, that input.
    pub fn input_text(&self) -> &'a str {
        self.loaded_text.unwrap_or_else(|| self.raw.text())
    }

    /// The Lambda invocation context.
    pub fn context(&self) -> &'a lambda_runtime::Context {
        self.context
    }

    /// Whether this invocation came from a Bedrock Agent.
    pub fn is_agent(&self) -> bool {
        matches!(self.source, Source::Agent(_))
    }
}

/// A value a handler can take as an argument.
///
/// Implement it for your own types to read something else from the event;
/// `describe` adds what the extractor reads to the generated schema.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a handler argument",
    label = "not an extractor for a resolver with state `{S}`",
    note = "`Query<T>` and `Path<T>` need `T: Deserialize + IntoParams`, `Body<T>` needs `T: Deserialize + ToSchema`: declare `T` with `#[actionkit::model]` (or derive them)",
    note = "`State<S>` must name the resolver's state type exactly; for your own argument type, implement `FromInvocation<S>`"
)]
pub trait FromInvocation<S>: Sized {
    /// Decodes the value, or explains to the caller what is wrong.
    fn from_invocation(invocation: &Invocation<'_>, state: &S) -> Result<Self, ActionError>;

    /// Documents what this extractor reads. The default documents nothing.
    fn describe(doc: &mut OperationDoc) {
        let _ = doc;
    }
}

/// Query parameters, decoded into `T` from Bedrock's string values.
///
/// `T` derives `Deserialize` (decoding, defaults) and `IntoParams` (schema;
/// doc comments become descriptions). Unknown parameters are ignored.
///
/// ```
/// use actionkit::Query;
/// use serde::Deserialize;
/// use utoipa::IntoParams;
///
/// #[derive(Deserialize, IntoParams)]
/// struct Window {
///     /// How many minutes back to look.
///     #[serde(default = "sixty")]
///     #[param(default = 60, minimum = 1)]
///     minutes_back: u32,
/// }
/// fn sixty() -> u32 { 60 }
///
/// async fn handler(Query(w): Query<Window>) -> actionkit::Json<u32> {
///     actionkit::Json(w.minutes_back)
/// }
/// # let _ = handler;
/// ```
#[derive(Debug, Clone)]
pub struct Query<T>(pub T);

/// Path parameters of a templated path like `/vendors/{vendor_id}`.
/// Bedrock sends their values in `parameters`, like query parameters.
#[derive(Debug, Clone)]
pub struct Path<T>(pub T);

/// The JSON request body, decoded into `T`. In function-details mode the
/// function's parameters, and for Step Functions tasks the whole input.
#[derive(Debug, Clone)]
pub struct Body<T>(pub T);

/// Shared state built once at cold start (SDK clients, configuration),
/// handed to every invocation. Use an `Arc` for anything large.
#[derive(Debug, Clone)]
pub struct State<S>(pub S);

/// The agent session's `sessionAttributes` (empty outside agent calls).
#[derive(Debug, Clone, Default)]
pub struct SessionAttributes(pub HashMap<String, String>);

/// The agent turn's `promptSessionAttributes` (empty outside agent calls).
#[derive(Debug, Clone, Default)]
pub struct PromptSessionAttributes(pub HashMap<String, String>);

/// The raw event, for anything the typed extractors do not cover.
#[derive(Debug, Clone)]
pub struct RawEvent(pub Value);

fn parameters<'a>(invocation: &Invocation<'a>) -> &'a Value {
    match invocation.source {
        Source::Agent(event) => &event.parameters,
        Source::Task(input) | Source::Tool(input) => input,
    }
}

fn decode_part<T: DeserializeOwned>(
    invocation: &Invocation<'_>,
    value: &Value,
    part: RequestPart,
) -> Result<T, ActionError> {
    let part = crate::validate::caller_part(invocation, part);
    decode(value).map_err(|e| ActionError::from_decode(part, &e))
}

/// Decodes `T` from any JSON value with the same coercions as the
/// extractors (strings to numbers, booleans, arrays, objects), for input a
/// handler holds itself: one item of a batch, a nested document.
///
/// Errors are `InvalidInput` (400) naming the field, without quoting the
/// value: they may end up in a workflow's execution history.
///
/// ```
/// #[derive(Debug, serde::Deserialize)]
/// struct Item { amount: f64 }
///
/// let item: Item = actionkit::from_value(&serde_json::json!({"amount": "12.50"})).unwrap();
/// assert_eq!(item.amount, 12.5);
/// let err = actionkit::from_value::<Item>(&serde_json::json!({"amount": "lots"})).unwrap_err();
/// assert_eq!(err.message(), "Input field `amount` must be a number.");
/// ```
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, ActionError> {
    decode(value).map_err(|e| ActionError::from_decode(RequestPart::Input, &e))
}

impl<S, T: DeserializeOwned + IntoParams> FromInvocation<S> for Query<T> {
    fn from_invocation(invocation: &Invocation<'_>, _: &S) -> Result<Self, ActionError> {
        decode_part(invocation, parameters(invocation), RequestPart::Query).map(Query)
    }

    fn describe(doc: &mut OperationDoc) {
        doc.add_query_params::<T>();
    }
}

impl<S, T: DeserializeOwned + IntoParams> FromInvocation<S> for Path<T> {
    fn from_invocation(invocation: &Invocation<'_>, _: &S) -> Result<Self, ActionError> {
        decode_part(invocation, parameters(invocation), RequestPart::Path).map(Path)
    }

    fn describe(doc: &mut OperationDoc) {
        doc.add_path_params::<T>();
    }
}

static EMPTY_OBJECT: std::sync::LazyLock<Value> =
    std::sync::LazyLock::new(|| Value::Object(serde_json::Map::new()));

impl<S, T: DeserializeOwned + ToSchema> FromInvocation<S> for Body<T> {
    fn from_invocation(invocation: &Invocation<'_>, _: &S) -> Result<Self, ActionError> {
        let value = match invocation.source {
            Source::Agent(event) => match (&event.target, &event.body) {
                (_, Some(body)) => body,
                // Function-details events carry arguments as parameters.
                (crate::event::AgentTarget::Function { .. }, None) => &event.parameters,
                (crate::event::AgentTarget::Api { .. }, None) => &EMPTY_OBJECT,
            },
            Source::Task(input) | Source::Tool(input) => input,
        };
        decode_part(invocation, value, RequestPart::Body).map(Body)
    }

    fn describe(doc: &mut OperationDoc) {
        doc.set_request_body::<T>();
    }
}

impl<S: Clone> FromInvocation<S> for State<S> {
    fn from_invocation(_: &Invocation<'_>, state: &S) -> Result<Self, ActionError> {
        Ok(State(state.clone()))
    }
}

impl<S> FromInvocation<S> for SessionAttributes {
    fn from_invocation(invocation: &Invocation<'_>, _: &S) -> Result<Self, ActionError> {
        Ok(match invocation.source {
            Source::Agent(event) => SessionAttributes(event.session_attributes.clone()),
            Source::Task(_) | Source::Tool(_) => SessionAttributes::default(),
        })
    }
}

impl<S> FromInvocation<S> for PromptSessionAttributes {
    fn from_invocation(invocation: &Invocation<'_>, _: &S) -> Result<Self, ActionError> {
        Ok(match invocation.source {
            Source::Agent(event) => {
                PromptSessionAttributes(event.prompt_session_attributes.clone())
            }
            Source::Task(_) | Source::Tool(_) => PromptSessionAttributes::default(),
        })
    }
}

impl<S> FromInvocation<S> for RawEvent {
    fn from_invocation(invocation: &Invocation<'_>, _: &S) -> Result<Self, ActionError> {
        Ok(RawEvent(invocation.raw.value().clone()))
    }
}

impl<S> FromInvocation<S> for lambda_runtime::Context {
    fn from_invocation(invocation: &Invocation<'_>, _: &S) -> Result<Self, ActionError> {
        Ok(invocation.context.clone())
    }
}
