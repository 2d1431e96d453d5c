//! Helpers for testing an actionkit function in its own crate (cargo
//! feature `testing`, meant for `[dev-dependencies]`): events in the exact
//! shapes each of the four callers sends, a Lambda [`Context`](crate::Context)
//! as the runtime builds it, and a snapshot check for the committed schemas.
//!
//! ```
//! use actionkit::testing::{agent_api_event, context};
//! use actionkit::{Json, Query, Resolver};
//! use serde::Deserialize;
//! use utoipa::IntoParams;
//!
//! #[derive(Deserialize, IntoParams)]
//! struct Lookup {
//!     /// The city.
//!     city: String,
//! }
//!
//! async fn weather(Query(q): Query<Lookup>) -> Json<String> {
//!     Json(format!("sunny in {}", q.city))
//! }
//!
//! # tokio_test_block_on(async {
//! let resolver = Resolver::new("Weather").get("/weather", "Weather for a city", weather);
//! let event = agent_api_event("Weather", "GET", "/weather", &[("city", "string", "Oslo")]);
//! let answer = resolver.handle(event, context()).await.unwrap();
//! let answer: serde_json::Value = serde_json::from_str(answer.get()).unwrap();
//! assert_eq!(answer["response"]["httpStatusCode"], 200);
//! assert_eq!(
//!     answer["response"]["responseBody"]["application/json"]["body"],
//!     "\"sunny in Oslo\""
//! );
//! # });
//! # fn tokio_test_block_on(f: impl std::future::Future<Output = ()>) {
//! #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
//! # }
//! ```

mod context;
mod events;
mod snapshot;

pub use context::{context, gateway_context};
pub use events::{
    agent_api_event, agent_function_event, gateway_tool_call, task_event, with_body,
    with_prompt_session_attributes, with_session_attributes,
};
pub use snapshot::{SnapshotMismatch, assert_json_snapshot, check_json_snapshot};
