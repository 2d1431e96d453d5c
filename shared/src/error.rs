//! Errors: the ones handlers return, the ones actionkit raises while decoding
//! a request, and the ones it raises while generating a schema.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::decode::{DecodeError, DecodeErrorKind};

/// An error a handler returns to the caller: an HTTP-like status, a stable
/// name and a message written for the model (or the workflow operator).
///
/// * Agent (OpenAPI) callers get `httpStatusCode = status` and a JSON body
///   `{"error": name, "message": message, ...details}`.
/// * Function-details callers get `REPROMPT` for 4xx (the model can fix its
///   arguments) and `FAILURE` for 5xx.
/// * Step Functions get a task failure whose error name is
///   `<prefix>.<name>` (see [`Resolver::error_prefix`](crate::Resolver::error_prefix)),
///   which `Retry` and `Catch` can match.
///
/// ```
/// use actionkit::ActionError;
///
/// let err = ActionError::not_found("No vendor with id V-42; search by name first.");
/// assert_eq!(err.status(), 404);
/// assert_eq!(err.name(), "NotFound");
/// ```
#[derive(Debug, Clone)]
pub struct ActionError {
    // Boxed: errors travel in every `Result` of the request path, which
    // should stay one pointer wide.
    inner: Box<ErrorInner>,
}

#[derive(Debug, Clone)]
struct ErrorInner {
    status: u16,
    name: Cow<'static, str>,
    message: String,
    details: Map<String, Value>,
    retryable: bool,
    /// Detail for the operator, logged but never sent to the caller.
    log_detail: Option<String>,
}

impl std::fmt::Display for ActionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.inner.name, self.inner.message)
    }
}

impl std::error::Error for ActionError {}

impl ActionError {
    /// An error with an explicit status and a stable name (letters, digits
    /// and dots, e.g. `"StoreUnavailable"`).
    pub fn new(
        status: u16,
        name: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            inner: Box::new(ErrorInner {
                status,
                name: name.into(),
                message: message.into(),
                details: Map::new(),
                retryable: status == 429 || status >= 502,
                log_detail: None,
            }),
        }
    }

    /// 400 `InvalidInput`: the caller can fix the request.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "InvalidInput", message)
    }

    /// 403 `Forbidden`: the request is understood and refused.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, "Forbidden", message)
    }

    /// 404 `NotFound`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "NotFound", message)
    }

    /// 429 `Throttled`: retry later.
    pub fn too_many_requests(message: impl Into<String>) -> Self {
        Self::new(429, "Throttled", message)
    }

    /// 503 `Unavailable`: a dependency is down; retryable.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(503, "Unavailable", message)
    }

    /// 500 `Internal` with a generic message; `detail` goes to the log only.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(
            500,
            "Internal",
            "An internal error occurred; the request was not completed.",
        )
        .with_log_detail(detail)
    }

    /// Adds a structured field to the error body (for example `retry_after_seconds`).
    pub fn with_detail(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.inner.details.insert(key.into(), value.into());
        self
    }

    /// Attaches operator-facing detail that is logged, never returned.
    pub fn with_log_detail(mut self, detail: impl Into<String>) -> Self {
        self.inner.log_detail = Some(detail.into());
        self
    }

    /// Overrides whether a workflow should retry this error.
    pub fn retryable(mut self, retryable: bool) -> Self {
        self.inner.retryable = retryable;
        self
    }

    /// The HTTP-like status.
    pub fn status(&self) -> u16 {
        self.inner.status
    }

    /// The stable name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The message meant for the model.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// Whether retrying the same request may succeed.
    pub fn is_retryable(&self) -> bool {
        self.inner.retryable
    }

    /// Logs this error as a reply: name and status, and the operator's
    /// detail for 5xx; never the message's echoed values.
    pub(crate) fn log(&self) {
        if self.status() >= 500 {
            tracing::error!(
                error = self.name(),
                status = self.status(),
                detail = self.inner.log_detail.as_deref().unwrap_or(""),
                "request failed"
            );
        } else {
            tracing::info!(
                error = self.name(),
                status = self.status(),
                "request rejected"
            );
        }
    }

    /// 400 `InvalidParameter` naming `parameter`: the same name and detail
    /// fields the decoder gives a value it cannot read, for the checks a
    /// handler makes itself (a range, a format, a combination).
    ///
    /// ```
    /// use actionkit::ActionError;
    ///
    /// let err = ActionError::invalid_parameter("limit", "`limit` must be between 1 and 50; received 80.");
    /// assert_eq!((err.status(), err.name()), (400, "InvalidParameter"));
    /// ```
    pub fn invalid_parameter(parameter: &str, message: impl Into<String>) -> Self {
        Self::new(400, "InvalidParameter", message).with_detail("parameter", parameter)
    }

    /// The body sent to the caller.
    pub(crate) fn error_body(&self) -> ErrorBody {
        let mut details = self.inner.details.clone();
        let mut text = |key: &str| match details.get(key) {
            Some(Value::String(_)) => match details.shift_remove(key) {
                Some(Value::String(s)) => Some(s),
                _ => None,
            },
            _ => None,
        };
        ErrorBody {
            error: self.inner.name.to_string(),
            message: self.inner.message.clone(),
            parameter: text("parameter"),
            location: text("location"),
            expected: text("expected"),
            received: text("received"),
            details,
        }
    }

    /// The JSON body sent to the caller.
    pub(crate) fn body(&self) -> Value {
        serde_json::to_value(self.error_body()).unwrap_or(Value::Null)
    }

    /// A decoding failure of one request part, as the 400 the model sees.
    pub(crate) fn from_decode(part: RequestPart, err: &DecodeError) -> Self {
        let path = err.path();
        let name = match (&err.kind, part) {
            (_, RequestPart::Input) => "InvalidInput",
            (DecodeErrorKind::Missing, _) => "MissingParameter",
            _ => "InvalidParameter",
        };
        let text = match part {
            RequestPart::Input => err.without_received(),
            _ => err.to_string(),
        };
        let message = match text.strip_prefix("the input") {
            // The whole value is at fault: no parameter to name.
            Some(rest) => format!("The input{rest}."),
            None => format!("{} {text}.", part.noun()),
        };
        let mut error = Self::new(400, name, message);
        if !path.is_empty() {
            error = error.with_detail("parameter", path);
        }
        if let DecodeErrorKind::Invalid { expected, received }
        | DecodeErrorKind::Violation {
            expected, received, ..
        } = &err.kind
        {
            error = error.with_detail("expected", expected.clone());
            if part != RequestPart::Input {
                error = error.with_detail("received", received.clone());
            }
        }
        if let DecodeErrorKind::Violation { rule, .. } = &err.kind {
            error = error.with_detail("rule", *rule);
        }
        error.with_detail("location", part.location())
    }
}

/// The body of every error answer, on every path: the agent's 4xx/5xx body,
/// the `error` object of a Gateway tool's error result, and the error schema
/// of the OpenAPI document are all this type.
///
/// ```
/// use actionkit::{ActionError, ErrorBody};
///
/// let body: ErrorBody = serde_json::from_str(r#"{"error": "NotFound", "message": "No vendor V-9."}"#).unwrap();
/// assert_eq!(body.error, "NotFound");
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(description = "An error: what failed and what to change before trying again.")]
pub struct ErrorBody {
    /// Stable error name, e.g. `InvalidParameter`, `NotFound`, `Forbidden`.
    pub error: String,
    /// What went wrong and what to change, written for the model.
    pub message: String,
    /// The parameter at fault, when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// Where the parameter was read: query, path, body, input or arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// What the parameter must be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// What was received (shortened).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<String>,
    /// Further details, e.g. `retry_after_seconds` or `available_operations`.
    #[serde(flatten)]
    #[schema(ignore)]
    pub details: Map<String, Value>,
}

/// Which part of a request an extractor read, in the caller's terms: an
/// OpenAPI-mode agent sends query and path parameters and a body, a
/// function-details agent function arguments, a Gateway client tool
/// arguments, a workflow an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestPart {
    Query,
    Path,
    Body,
    Input,
    /// A Gateway tool's arguments.
    Argument,
    /// A function-details function's parameters.
    FunctionArgument,
}

impl RequestPart {
    fn noun(self) -> &'static str {
        match self {
            Self::Query => "Query parameter",
            Self::Path => "Path parameter",
            Self::Body => "Body property",
            Self::Input => "Input field",
            Self::Argument => "Tool argument",
            Self::FunctionArgument => "Function argument",
        }
    }

    fn location(self) -> &'static str {
        match self {
            Self::Query => "query",
            Self::Path => "path",
            Self::Body => "body",
            Self::Input => "input",
            Self::Argument | Self::FunctionArgument => "arguments",
        }
    }
}

/// The payload looks like a Bedrock Agent event but cannot be read as one.
/// Answered as the Lambda invocation error `<prefix>.MalformedEvent` (as are
/// `<prefix>.UnknownTask` for a task payload this function does not serve,
/// and task failures, which Step Functions reads as errors by design).
#[derive(Debug, Clone, thiserror::Error)]
#[error("malformed event: {reason}")]
pub(crate) struct MalformedEvent {
    reason: String,
}

impl MalformedEvent {
    pub(crate) fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }
}

/// Why a schema could not be generated: each variant names what Bedrock
/// would reject and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// An operation or function has an empty description.
    #[error("{operation}: a description is required (the model reads it to choose the tool)")]
    MissingDescription {
        /// The operation (`GET /path`) or function name.
        operation: String,
    },
    /// A description is longer than Bedrock allows.
    #[error("{operation}: description is {len} characters; Bedrock allows at most {max}")]
    DescriptionTooLong {
        /// The operation or function (and parameter) at fault.
        operation: String,
        /// Its length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// More operations than one action group may hold.
    #[error("{count} operations; a Bedrock action group holds at most {max}")]
    TooManyOperations {
        /// How many were registered.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The derived tool name is too long or has characters Claude rejects.
    #[error(
        "{operation}: tool name `{tool_name}` must match ^[a-zA-Z0-9_-]{{1,64}}$ \
         (shorten the path or set a shorter operation id)"
    )]
    BadToolName {
        /// The operation at fault.
        operation: String,
        /// The tool name Bedrock would build.
        tool_name: String,
    },
    /// A function or operation has more parameters than Bedrock allows.
    #[error("{operation}: {count} parameters; at most {max} are allowed")]
    TooManyParameters {
        /// The function at fault.
        operation: String,
        /// How many it has.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A type or construct Bedrock does not accept.
    #[error("{operation}: {location} uses {what}, which Bedrock does not support")]
    UnsupportedType {
        /// The operation or function at fault.
        operation: String,
        /// Where in it (parameter or JSON pointer).
        location: String,
        /// What is unsupported.
        what: String,
    },
    /// A name that does not fit Bedrock's naming rules.
    #[error("{operation}: name `{name}` is invalid: {rule}")]
    BadName {
        /// The operation or function at fault.
        operation: String,
        /// The offending name.
        name: String,
        /// The rule it breaks.
        rule: String,
    },
    /// A documented rule cannot be enforced: a `pattern` the `regex` crate
    /// does not compile, a bound that is not a number. Raised when the
    /// handler is registered, never per request.
    #[error("{operation}: {location} has a rule that cannot be enforced: {problem}")]
    InvalidRule {
        /// The handler at fault.
        operation: String,
        /// The parameter or body property, and the rule's place in its schema.
        location: String,
        /// What is wrong with the rule.
        problem: String,
    },
    /// The path template and the path parameters disagree.
    #[error("{operation}: {problem}")]
    PathMismatch {
        /// The operation at fault.
        operation: String,
        /// What disagrees.
        problem: String,
    },
}
