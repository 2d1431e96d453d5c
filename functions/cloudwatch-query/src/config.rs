//! Configuration from the environment, read once at cold start.

use std::time::Duration;

use crate::allowlist::{Allowlist, AllowlistError};
use crate::handle::{HandleKeys, KeySource, MIN_KEY_BYTES};
use crate::redact::{PatternError, Redactor};

/// Everything the function can be told through its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `ALLOWED_LOG_GROUPS`: exact names and `prefix*` entries, comma-separated.
    /// Empty (the default) allows nothing.
    pub allowlist: Allowlist,
    /// `MAX_MINUTES_BACK` (default 10080, 7 days).
    pub max_minutes_back: i64,
    /// `MAX_ROWS` (default 100, at most 10000): the row cap every query gets.
    pub max_rows: usize,
    /// `MAX_FIELD_CHARS` (default 2000): longer field values are cut.
    pub max_field_chars: usize,
    /// `REDACT_SECRETS` (default true) and `REDACT_EXTRA_PATTERNS` (a JSON
    /// array of regexes).
    pub redactor: Redactor,
    /// `QUERY_MAX_WAIT_SECONDS` (default 25): the longest a query is polled.
    pub max_wait: Duration,
    /// `QUERY_DEADLINE_MARGIN_MS` (default 1500): time kept back before the
    /// Lambda deadline to stop the query and answer.
    pub deadline_margin: Duration,
    /// `POLL_INITIAL_MS` (default 250) and `POLL_MAX_MS` (default 2000):
    /// the polling backoff.
    pub poll_initial: Duration,
    /// See `poll_initial`.
    pub poll_max: Duration,
    /// `MAX_RESPONSE_BYTES` (default 25000): the agent response limit.
    pub max_response_bytes: usize,
    /// `QUERY_HANDLE_KEY` (the key, at least 32 bytes of text) or
    /// `QUERY_HANDLE_SECRET_ARN` (a Secrets Manager secret holding it): the
    /// key that signs query handles. Without either, a random key valid on
    /// this instance only.
    pub handle_keys: HandleKeys,
    /// `QUERY_HANDLE_TTL_SECONDS` (default 3600, at most 604800): how long a
    /// query handle can be used for follow-ups.
    pub handle_ttl_seconds: i64,
}

/// A setting that cannot be used; the function refuses to start with it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `ALLOWED_LOG_GROUPS` has a bad entry.
    #[error("ALLOWED_LOG_GROUPS: {0}")]
    Allowlist(#[from] AllowlistError),
    /// A redaction pattern does not compile.
    #[error("REDACT_EXTRA_PATTERNS: {0}")]
    Pattern(#[from] PatternError),
    /// A number or flag that does not parse or is out of range.
    #[error("{name}: {reason}")]
    Value {
        /// The variable.
        name: &'static str,
        /// What is wrong.
        reason: String,
    },
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (the environment, or a test's map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let number = |name: &'static str, default: u64, max: u64| -> Result<u64, ConfigError> {
            match lookup(name) {
                None => Ok(default),
                Some(v) => match v.trim().parse::<u64>() {
                    Ok(n) if (1..=max).contains(&n) => Ok(n),
                    _ => Err(ConfigError::Value {
                        name,
                        reason: format!("expected a whole number from 1 to {max}"),
                    }),
                },
            }
        };
        let redact = match lookup("REDACT_SECRETS").as_deref().map(str::trim) {
            None | Some("true" | "1" | "yes") => true,
            Some("false" | "0" | "no") => false,
            Some(_) => {
                return Err(ConfigError::Value {
                    name: "REDACT_SECRETS",
                    reason: "expected true or false".into(),
                });
            }
        };
        let extra: Vec<String> = match lookup("REDACT_EXTRA_PATTERNS") {
            None => Vec::new(),
            Some(json) => serde_json::from_str(&json).map_err(|_| ConfigError::Value {
                name: "REDACT_EXTRA_PATTERNS",
                reason: "expected a JSON array of regex strings".into(),
            })?,
        };
        let handle_source = match (
            lookup("QUERY_HANDLE_KEY"),
            lookup("QUERY_HANDLE_SECRET_ARN"),
        ) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::Value {
                    name: "QUERY_HANDLE_KEY",
                    reason: "set QUERY_HANDLE_KEY or QUERY_HANDLE_SECRET_ARN, not both".into(),
                });
            }
            (Some(key), None) if key.trim().len() >= MIN_KEY_BYTES => {
                KeySource::Static(key.trim().as_bytes().to_vec())
            }
            (Some(_), None) => {
                return Err(ConfigError::Value {
                    name: "QUERY_HANDLE_KEY",
                    reason: format!("expected at least {MIN_KEY_BYTES} characters"),
                });
            }
            (None, Some(arn)) if arn.trim().starts_with("arn:") => {
                KeySource::Secret(arn.trim().to_owned())
            }
            (None, Some(_)) => {
                return Err(ConfigError::Value {
                    name: "QUERY_HANDLE_SECRET_ARN",
                    reason: "expected a Secrets Manager secret ARN".into(),
                });
            }
            (None, None) => KeySource::Ephemeral,
        };
        Ok(Self {
            handle_keys: HandleKeys::new(handle_source),
            handle_ttl_seconds: number("QUERY_HANDLE_TTL_SECONDS", 3_600, 604_800)? as i64,
            allowlist: Allowlist::parse(&lookup("ALLOWED_LOG_GROUPS").unwrap_or_default())?,
            max_minutes_back: number("MAX_MINUTES_BACK", 10_080, 525_600)? as i64,
            max_rows: number("MAX_ROWS", 100, 10_000)? as usize,
            max_field_chars: number("MAX_FIELD_CHARS", 2_000, 100_000)? as usize,
            redactor: Redactor::new(redact, &extra)?,
            max_wait: Duration::from_secs(number("QUERY_MAX_WAIT_SECONDS", 25, 900)?),
            deadline_margin: Duration::from_millis(number(
                "QUERY_DEADLINE_MARGIN_MS",
                1_500,
                60_000,
            )?),
            poll_initial: Duration::from_millis(number("POLL_INITIAL_MS", 250, 10_000)?),
            poll_max: Duration::from_millis(number("POLL_MAX_MS", 2_000, 60_000)?),
            max_response_bytes: number("MAX_RESPONSE_BYTES", 25_000, 1_000_000)? as usize,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_are_safe() {
        let c = config(&[]).unwrap();
        assert!(!c.allowlist.allows("/aws/lambda/anything"));
        assert_eq!(c.max_minutes_back, 10_080);
        assert_eq!(c.max_rows, 100);
        assert!(c.redactor.enabled());
    }

    #[test]
    fn bad_settings_refuse_to_start() {
        for vars in [
            [("MAX_ROWS", "0")],
            [("MAX_ROWS", "20000")],
            [("MAX_MINUTES_BACK", "-1")],
            [("REDACT_SECRETS", "maybe")],
            [("REDACT_EXTRA_PATTERNS", "not json")],
            [("REDACT_EXTRA_PATTERNS", "[\"(\"]")],
            [("ALLOWED_LOG_GROUPS", "*")],
            [("QUERY_HANDLE_KEY", "too-short")],
            [("QUERY_HANDLE_SECRET_ARN", "not-an-arn")],
            [("QUERY_HANDLE_TTL_SECONDS", "0")],
        ] {
            assert!(config(&vars).is_err(), "{vars:?}");
        }
        let c = config(&[
            ("REDACT_SECRETS", "false"),
            ("ALLOWED_LOG_GROUPS", "/a,/b/*"),
            ("MAX_ROWS", "50"),
        ])
        .unwrap();
        assert!(!c.redactor.enabled());
        assert!(c.allowlist.allows("/b/c"));
        assert_eq!(c.max_rows, 50);
    }
}
