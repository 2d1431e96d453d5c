//! # actionkit
//!
//! Typed handlers for the AWS Lambda functions that AI agents and AI
//! workflows call — Powertools' `BedrockAgentResolver`, done the Rust way.
//!
//! * One async handler with typed extractors ([`Query`], [`Path`], [`Body`],
//!   [`State`], [`SessionAttributes`], ...) serves a Bedrock Agent
//!   **OpenAPI action group** route, a **function-details** function and a
//!   **Step Functions task**, each answered in its own envelope.
//! * Bedrock's string values are coerced by the *target field's* type.
//! * Errors never crash the Lambda: they become 4xx/5xx agent responses,
//!   `REPROMPT`/`FAILURE`, Gateway `isError` results, or task failures named
//!   `<Prefix>.<Name>`.
//! * The OpenAPI 3.0 document (Bedrock profile), the `functionSchema` and
//!   the AgentCore Gateway tool schema come from the same signatures
//!   ([`Resolver::openapi`], [`Resolver::function_schema`],
//!   [`Resolver::tool_schema`]), refusing what Bedrock would reject.
//! * Each fact is declared once: [`model`] types carry their defaults,
//!   bounds, allowed values, examples and descriptions (doc comments) into
//!   decoding, validation and every schema; an [`action`] handler's doc
//!   comment is its description, and one registration exposes it as route,
//!   function, task and tool. A crate needs only `actionkit` and `tokio`.
//!
//! The article's route — three parameters, a default, a handler, a
//! registration:
//!
//! ```
//! use actionkit::{Json, Query, Resolver, action, model};
//!
//! #[model]
//! struct Logs {
//!     /// Log group name, e.g. /aws/lambda/api-handler.
//!     log_group: String,
//!     /// CloudWatch Insights query string.
//!     query: String,
//!     /// Time window in minutes.
//!     #[field(default = 60, minimum = 1)]
//!     minutes_back: u32,
//! }
//!
//! /// Query CloudWatch Logs Insights for a log group.
//! #[action(GET "/cloudwatch_logs", function)]
//! async fn query_cloudwatch(Query(q): Query<Logs>) -> Json<String> {
//!     Json(format!("{} over {} min in {}", q.query, q.minutes_back, q.log_group))
//! }
//!
//! let resolver = Resolver::new("LogInsights").register(query_cloudwatch);
//! # let doc = resolver.openapi_document().unwrap();
//! # let op = &doc["paths"]["/cloudwatch_logs"]["get"];
//! # assert_eq!(op["description"], "Query CloudWatch Logs Insights for a log group.");
//! # assert_eq!(op["parameters"][2]["schema"]["default"], 60);
//! # assert_eq!(resolver.function_schema().unwrap()["functions"][0]["name"], "query_cloudwatch");
//! ```
//!
//! Types deriving serde's and utoipa's traits themselves (`Deserialize` +
//! `IntoParams` for [`Query`]/[`Path`], `ToSchema` for [`Body`]/[`Json`])
//! work too, and a handler registers with a description string:
//!
//! ```
//! use actionkit::{ActionError, Json, Path, Resolver};
//! use serde::{Deserialize, Serialize};
//! use utoipa::{IntoParams, ToSchema};
//!
//! #[derive(Deserialize, IntoParams)]
//! struct VendorId {
//!     /// The vendor's id, e.g. V-1001.
//!     vendor_id: String,
//! }
//!
//! #[derive(Serialize, ToSchema)]
//! struct Vendor {
//!     /// Legal name.
//!     name: String,
//! }
//!
//! async fn get_vendor(Path(p): Path<VendorId>) -> Result<Json<Vendor>, ActionError> {
//!     match p.vendor_id.as_str() {
//!         "V-1001" => Ok(Json(Vendor { name: "Acme GmbH".into() })),
//!         other => Err(ActionError::not_found(format!("No vendor {other}."))),
//!     }
//! }
//!
//! let resolver = Resolver::new("Vendors").get("/vendors/{vendor_id}", "Get a vendor by id", get_vendor);
//! let doc = resolver.openapi("Vendors", "1.0.0", "Vendor master data").unwrap();
//! assert_eq!(doc["paths"]["/vendors/{vendor_id}"]["get"]["operationId"], "get_vendors_by_vendor_id");
//! ```

mod action;
mod agent;
mod agent_event;
mod client_context;
mod decode;
mod envelope;
mod error;
mod event;
mod extract;
mod failure;
mod fit;
mod function;
mod gateway;
mod handler;
mod mcp;
mod metrics;
pub mod middleware;
mod model;
mod observability;
mod offload;
mod operation;
mod resolver;
mod response;
mod route;
mod runtime;
mod schema;
#[cfg(feature = "aws-sdk")]
mod sdk_config;
mod shutdown;
mod task;
#[cfg(feature = "testing")]
pub mod testing;
mod trace;
mod validate;

pub use action::{Action, Actions, IntoAction};
/// The ecosystem's OpenAPI-mode Bedrock Agent event (`aws_lambda_events`),
/// usable as a handler argument.
pub use aws_lambda_events::event::bedrock_agent_runtime::AgentEvent;
pub use error::{ActionError, ErrorBody, SchemaError};
pub use extract::{
    Body, FromInvocation, Invocation, Path, PromptSessionAttributes, Query, RawEvent,
    SessionAttributes, State, from_value,
};
pub use gateway::GATEWAY_TOOL_NAME_KEY;
pub use handler::Handler;
#[cfg(feature = "mcp")]
pub use mcp::{MCP_MAX_REQUEST_BYTES, MCP_PATH, McpError};
pub use metrics::{MetricUnit, metric};
pub use observability::{LogFormat, init_tracing, init_tracing_with};
#[cfg(feature = "s3")]
pub use offload::S3PayloadStore;
pub use offload::{PayloadRef, PayloadStore, StoreFuture};
pub use operation::{Operation, OperationDoc};
pub use resolver::{
    DEFAULT_MAX_RESPONSE_BYTES, OFFLOAD_ABOVE_BYTES, Resolver, STEP_FUNCTIONS_MAX_PAYLOAD_BYTES,
};
pub use response::{IntoReply, ItemList, Json, Reply, Response, Trim, TrimToFit, drop_to_fit};
pub use route::Method;
pub use runtime::{init_error, run, serve};
pub use schema::{
    GATEWAY_SCHEMA_KEYWORDS, MAX_FUNCTION_PARAMETERS, MAX_OPERATIONS,
    bedrock_function_schema_violations, bedrock_openapi_violations, gateway_tool_schema_violations,
};
#[cfg(feature = "aws-sdk")]
pub use sdk_config::{SdkConfigError, aws_https_client, aws_sdk_config};
#[cfg(feature = "aws-sdk")]
pub use trace::TraceHeader;
pub use trace::current_trace_id;

/// Re-exported so handlers can name the Lambda context without a direct
/// dependency.
pub use lambda_runtime::{Context, Diagnostic};

#[doc = include_str!("docs/model.md")]
pub use actionkit_macros::model;

#[doc = include_str!("docs/action.md")]
pub use actionkit_macros::action;

/// serde, re-exported: a user's crate needs no serde dependency of its own
/// (`#[model]` derives through this path).
pub use serde;
/// serde_json, re-exported.
pub use serde_json;
/// serde_json's `json!`, for data and tests without a serde_json dependency.
pub use serde_json::json;

/// `Result` with actionkit's error: a handler's `-> Result<Json<T>>`.
pub type Result<T, E = ActionError> = std::result::Result<T, E>;
/// utoipa, the schema engine, re-exported for hand-written schemas.
pub use utoipa;

/// What `#[model]` and `#[action]` expand to. Not an API: it may change in
/// any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::model::{
        Keywords, ModelField, number, object, params, string_enum, to_value, values,
    };
    pub use serde;
    pub use serde_json;
    pub use utoipa;
}
