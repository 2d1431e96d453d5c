//! CloudWatch Logs errors, mapped to what the model can act on.

use actionkit::ActionError;
use aws_sdk_cloudwatchlogs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_cloudwatchlogs::operation::start_query::StartQueryError;

/// Seconds a model should wait after a concurrency or rate limit.
const RETRY_AFTER_SECONDS: u64 = 30;

/// Maps an SDK error of any CloudWatch Logs operation. `subject` names what
/// was asked for (a log group) for the 404 message.
pub fn map_sdk_error<E, R>(
    operation: &'static str,
    subject: &str,
    err: SdkError<E, R>,
) -> ActionError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let code = err.code().unwrap_or_default().to_owned();
    let aws_message = err.message().unwrap_or_default().to_owned();
    let detail = format!("{operation} failed: {}", DisplayErrorContext(&err));
    let error = match code.as_str() {
        "MalformedQueryException" => ActionError::new(
            400,
            "MalformedQuery",
            format!("CloudWatch Logs Insights could not compile the query: {aws_message}. Fix the query syntax and try again."),
        )
        .with_detail("parameter", "query"),
        "ResourceNotFoundException" => ActionError::not_found(format!(
            "{subject} was not found. Use the list_log_groups operation to see the log groups that exist."
        )),
        "LimitExceededException" | "ThrottlingException" | "TooManyRequestsException" => {
            ActionError::too_many_requests(format!(
                "CloudWatch Logs is at its limit of concurrent queries or requests. Wait about {RETRY_AFTER_SECONDS} seconds, then retry once."
            ))
            .with_detail("retry_after_seconds", RETRY_AFTER_SECONDS)
        }
        "AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation" => ActionError::forbidden(
            "This function is not permitted to read that log group. Ask an operator to grant access, or query another group.",
        ),
        "InvalidParameterException" => ActionError::bad_request(format!(
            "CloudWatch Logs rejected a parameter: {aws_message}"
        )),
        _ => ActionError::new(
            502,
            "UpstreamError",
            "CloudWatch Logs did not complete the request. Try again later.",
        ),
    };
    error.with_log_detail(detail)
}

/// [`map_sdk_error`] for StartQuery, adding the compile error's location.
pub fn map_start_query_error<R>(subject: &str, err: SdkError<StartQueryError, R>) -> ActionError
where
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let location = match err.as_service_error() {
        Some(StartQueryError::MalformedQueryException(e)) => e
            .query_compile_error()
            .and_then(|c| c.location())
            .map(|l| (l.start_char_offset(), l.end_char_offset())),
        _ => None,
    };
    let error = map_sdk_error("StartQuery", subject, err);
    match location {
        Some((Some(start), Some(end))) => error
            .with_detail("error_start_char", start)
            .with_detail("error_end_char", end),
        _ => error,
    }
}
