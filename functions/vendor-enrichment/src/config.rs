//! Configuration from the environment, read once at cold start, and the
//! function built from it.

use std::sync::Arc;

use actionkit::Resolver;

use crate::dynamo::DynamoStore;
use crate::routes::{AnyStore, AppState, resolver};
use crate::rules::{Rules, RulesError};
use crate::store::EmbeddedStore;

/// Everything the function can be told through its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `RULES_FILE`: classification, review and routing rules (default: the
    /// embedded `data/rules.json`).
    pub rules: Rules,
    /// `VENDOR_TABLE`: the DynamoDB vendor master; without it, the embedded
    /// master file.
    pub vendor_table: Option<String>,
    /// `PAYLOAD_BUCKET` (and `PAYLOAD_PREFIX`): task inputs and outputs over
    /// 200 KiB travel through S3.
    pub payload_bucket: bool,
}

/// A setting that cannot be used; the function refuses to start with it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The rules file is unreadable or invalid.
    #[error("RULES_FILE: {0}")]
    Rules(#[from] RulesError),
    /// The embedded vendor master does not parse (a build fault).
    #[error("the embedded vendor master does not parse: {0}")]
    Master(String),
    /// The AWS SDK's HTTPS client cannot be built (`SSL_CERT_FILE`/`SSL_CERT_DIR`).
    #[error(transparent)]
    Sdk(#[from] actionkit::SdkConfigError),
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let set = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Ok(Self {
            rules: Rules::from_env()?,
            vendor_table: set("VENDOR_TABLE"),
            payload_bucket: set("PAYLOAD_BUCKET").is_some(),
        })
    }

    /// The function: the vendor store and the payload store this
    /// configuration names, the AWS SDK configuration loaded once, and only
    /// when one of them needs it (the embedded master needs none).
    pub async fn function(self) -> Result<Resolver<Arc<AppState>>, ConfigError> {
        let sdk = match (&self.vendor_table, self.payload_bucket) {
            (None, false) => None,
            _ => Some(actionkit::aws_sdk_config().await?),
        };
        let store = match (&self.vendor_table, &sdk) {
            (Some(table), Some(sdk)) => {
                tracing::info!(table = %table, "vendor master: DynamoDB");
                AnyStore::Dynamo(DynamoStore::new(
                    aws_sdk_dynamodb::Client::from_conf(
                        aws_sdk_dynamodb::config::Builder::from(sdk)
                            .interceptor(actionkit::TraceHeader)
                            .build(),
                    ),
                    table.clone(),
                ))
            }
            _ => {
                let store = EmbeddedStore::embedded(&self.rules)
                    .map_err(|e| ConfigError::Master(e.to_string()))?;
                tracing::info!(
                    vendors = store.len(),
                    "vendor master: embedded file (set VENDOR_TABLE for DynamoDB)"
                );
                AnyStore::Embedded(store)
            }
        };
        let mut function = resolver(Arc::new(AppState {
            store,
            rules: self.rules,
        }));
        if let Some(sdk) = sdk.filter(|_| self.payload_bucket) {
            // Batch results of ~700 bytes an item pass 256 KiB at a few
            // hundred items: larger outputs (and inputs) travel through S3.
            let s3 = aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(&sdk)
                    .interceptor(actionkit::TraceHeader)
                    .build(),
            );
            if let Some(store) =
                actionkit::S3PayloadStore::from_env(s3, "vendor-enrichment/", 16 << 20)
            {
                function = function.payload_store(store, actionkit::OFFLOAD_ABOVE_BYTES);
            }
        }
        Ok(function)
    }
}
