//! # cloudwatch-query
//!
//! A CloudWatch Logs Insights tool that a Bedrock Agent can be trusted with:
//! only allowlisted log groups, no `SOURCE` or `unmask()`, bounded time
//! ranges and row counts, secrets redacted, responses that always fit the
//! agent's limit, and errors the model can act on.

mod allowlist;
mod aws_error;
mod config;
mod guard;
mod handle;
mod insights;
mod insights_ql;
mod model;
mod redact;
mod routes;
mod timefmt;

pub use allowlist::{Allowlist, AllowlistError};
pub use config::{Config, ConfigError};
pub use redact::Redactor;
pub use routes::{ACTION_GROUP, AppState, resolver};
