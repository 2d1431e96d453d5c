//! The Lambda errors an invocation can end with: a task failure named
//! `<prefix>.<ErrorName>` (what Step Functions' `Retry` and `Catch` match),
//! or one of the runtime's own failures.

use lambda_runtime::Diagnostic;

use crate::fit::excerpt_bytes;
use crate::resolver::Resolver;

/// Step Functions keeps at most this much of an error's cause; longer
/// task error messages are cut to it.
const MAX_ERROR_MESSAGE_BYTES: usize = 32_768;

/// The failures the runtime itself reports as Lambda errors, named
/// `<prefix>.<name>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RuntimeFailure {
    /// A payload shaped like an agent event that cannot be read as one.
    MalformedEvent,
    /// A task payload this function does not serve.
    UnknownTask,
    /// Something actionkit itself could not do (e.g. produce valid JSON).
    Internal,
}

impl RuntimeFailure {
    pub(crate) fn name(self) -> &'static str {
        match self {
            RuntimeFailure::MalformedEvent => "MalformedEvent",
            RuntimeFailure::UnknownTask => "UnknownTask",
            RuntimeFailure::Internal => "Internal",
        }
    }
}

impl<S> Resolver<S> {
    /// A runtime failure as the Lambda error `<prefix>.<name>`.
    pub(crate) fn failure(&self, failure: RuntimeFailure, message: &str) -> Diagnostic {
        self.diagnostic(failure.name(), message)
    }

    /// An error named `name` (`<prefix>.<name>` unless it has a dot) as a
    /// Lambda error, its message cut to what Step Functions keeps.
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
}
