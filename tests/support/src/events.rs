//! Events in the exact shapes each caller sends, for every crate's tests:
//! the one home is [`actionkit::testing`]; the testkit re-exports it so
//! tests that already use the testkit need no second import.

pub use actionkit::testing::{
    agent_api_event, agent_function_event, context, gateway_context, gateway_tool_call, task_event,
    with_body, with_prompt_session_attributes, with_session_attributes,
};
