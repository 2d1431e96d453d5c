//! The invocation's X-Ray trace header, without `_X_AMZN_TRACE_ID`.
//!
//! `lambda_runtime` sets the `_X_AMZN_TRACE_ID` environment variable per
//! invocation for the AWS SDK to read. In Rust 2024 `set_var` is `unsafe`
//! (the workspace forbids unsafe code), and a process-wide variable is wrong
//! anyway once several invocations run at once (Lambda Managed Instances).
//! actionkit's loop instead runs each invocation inside a task-local scope
//! holding its trace header; [`current_trace_id`] reads it, and
//! [`TraceHeader`] (feature `aws-sdk`) writes it into every AWS SDK request
//! made while handling that invocation.

use std::future::Future;
use std::sync::Arc;

tokio::task_local! {
    static TRACE_ID: Option<Arc<str>>;
}

/// Runs `future` with `trace_id` as the current invocation's trace header.
pub(crate) async fn with_trace_id<F: Future>(trace_id: Option<Arc<str>>, future: F) -> F::Output {
    TRACE_ID.scope(trace_id, future).await
}

/// The `X-Amzn-Trace-Id` of the invocation being handled (as Lambda sent
/// it in `Lambda-Runtime-Trace-Id`), or `None` outside an invocation or when
/// the invocation is not traced.
///
/// It is task-local: a handler's own future sees it, a task it spawns with
/// `tokio::spawn` does not (pass it along, or wrap the spawned future).
///
/// ```
/// // Outside an invocation there is none.
/// assert_eq!(actionkit::current_trace_id(), None);
/// ```
pub fn current_trace_id() -> Option<Arc<str>> {
    TRACE_ID.try_with(Clone::clone).ok().flatten()
}

#[cfg(feature = "aws-sdk")]
pub use interceptor::TraceHeader;

#[cfg(feature = "aws-sdk")]
mod interceptor {
    use aws_smithy_runtime_api::box_error::BoxError;
    use aws_smithy_runtime_api::client::interceptors::Intercept;
    use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
    use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
    use aws_smithy_types::config_bag::ConfigBag;

    const TRACE_ID_HEADER: &str = "x-amzn-trace-id";

    /// An AWS SDK interceptor that sends the current invocation's trace
    /// header ([`current_trace_id`](crate::current_trace_id)) as
    /// `X-Amzn-Trace-Id` on every request of the client it is registered
    /// on, as the SDK itself does from `_X_AMZN_TRACE_ID` under
    /// `lambda_runtime` — but per invocation, so concurrent invocations each
    /// reach their own downstream segments. Outside an invocation it does
    /// nothing.
    ///
    /// Register it once, where the client is built — from an `SdkConfig`
    /// that is `aws_sdk_s3::config::Builder::from(&sdk)`, then:
    ///
    /// ```no_run
    /// let config = aws_sdk_s3::Config::builder()
    ///     .behavior_version_latest()
    ///     .interceptor(actionkit::TraceHeader)
    ///     .build();
    /// let s3 = aws_sdk_s3::Client::from_conf(config);
    /// ```
    #[derive(Debug, Clone, Copy, Default)]
    pub struct TraceHeader;

    impl Intercept for TraceHeader {
        fn name(&self) -> &'static str {
            "actionkit::TraceHeader"
        }

        // Before signing, as the SDK's own recursion-detection interceptor
        // does, so the header is signed like the rest of the request.
        fn modify_before_signing(
            &self,
            context: &mut BeforeTransmitInterceptorContextMut<'_>,
            _runtime_components: &RuntimeComponents,
            _cfg: &mut ConfigBag,
        ) -> Result<(), BoxError> {
            if let Some(trace_id) = crate::current_trace_id()
                // A trace header is visible ASCII; anything else is not sent
                // (an invalid header would fail the SDK call).
                && !trace_id.is_empty()
                && trace_id.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
            {
                let headers = context.request_mut().headers_mut();
                if headers
                    .try_insert(TRACE_ID_HEADER, trace_id.to_string())
                    .is_err()
                {
                    tracing::debug!("trace header not set: not a valid header value");
                }
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_scope_sees_its_own_trace_id() {
        let a = with_trace_id(Some("Root=1-a".into()), async {
            tokio::task::yield_now().await;
            current_trace_id()
        });
        let b = with_trace_id(Some("Root=1-b".into()), async {
            tokio::task::yield_now().await;
            current_trace_id()
        });
        let (a, b) = tokio::join!(a, b);
        assert_eq!(a.as_deref(), Some("Root=1-a"));
        assert_eq!(b.as_deref(), Some("Root=1-b"));
        assert_eq!(current_trace_id(), None);
    }
}
