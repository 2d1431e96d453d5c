//! The Lambda [`Context`] of a test invocation.

use lambda_runtime::Context;
use serde_json::json;

/// A Lambda context as the runtime builds it for one invocation: a request
/// id, a function ARN and a deadline 30 seconds from now.
///
/// ```
/// let context = actionkit::testing::context();
/// assert_eq!(context.request_id, "test-request");
/// assert!(context.client_context.is_none());
/// ```
pub fn context() -> Context {
    let mut context = Context::default();
    context.request_id = "test-request".into();
    context.invoked_function_arn =
        "arn:aws:lambda:us-east-1:123456789012:function:actionkit-test".into();
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    context.deadline = now_ms + 30_000;
    context
}

/// The Lambda context of an AgentCore Gateway tool call to `tool`, named
/// `<target>___<tool>` as the Gateway names it: the tool's name travels in
/// the client context's `custom.bedrockAgentCoreToolName`.
///
/// ```
/// let context = actionkit::testing::gateway_context("vendors___get_vendor");
/// let custom = &context.client_context.unwrap().custom;
/// assert_eq!(custom["bedrockAgentCoreToolName"], "vendors___get_vendor");
/// ```
pub fn gateway_context(tool: &str) -> Context {
    let mut context = context();
    context.request_id = "gateway-request".into();
    // `lambda_runtime` does not export `ClientContext`'s constructor: build it
    // from JSON, as the runtime does from the client-context header.
    context.client_context =
        serde_json::from_value(json!({"custom": {"bedrockAgentCoreToolName": tool}})).ok();
    context
}
