//! The Lambda entry point: rules and the vendor store are set up once, at
//! cold start. `VENDOR_TABLE` selects DynamoDB; without it the embedded
//! master file is used. `PAYLOAD_BUCKET` (and `PAYLOAD_PREFIX`) sends task
//! inputs and outputs over 200 KiB through S3.

use std::process::ExitCode;
use std::sync::Arc;

use vendor_enrichment::{AnyStore, AppState, DynamoStore, EmbeddedStore, Rules, resolver};

#[tokio::main]
async fn main() -> ExitCode {
    actionkit::init_tracing();
    let rules = match Rules::from_env() {
        Ok(rules) => rules,
        Err(e) => {
            tracing::error!(error = %e, "invalid rules");
            return ExitCode::FAILURE;
        }
    };
    let store = match std::env::var("VENDOR_TABLE")
        .ok()
        .filter(|t| !t.trim().is_empty())
    {
        Some(table) => {
            let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
            tracing::info!(table = %table, "vendor master: DynamoDB");
            AnyStore::Dynamo(DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table))
        }
        None => match EmbeddedStore::embedded(&rules) {
            Ok(store) => {
                tracing::info!(
                    vendors = store.len(),
                    "vendor master: embedded file (set VENDOR_TABLE for DynamoDB)"
                );
                AnyStore::Embedded(store)
            }
            Err(e) => {
                tracing::error!(error = %e, "the embedded vendor master does not parse");
                return ExitCode::FAILURE;
            }
        },
    };
    let mut resolver = resolver(Arc::new(AppState { store, rules }));
    if std::env::var_os("PAYLOAD_BUCKET").is_some() {
        // Batch results of ~700 bytes an item pass 256 KiB at a few hundred
        // items: larger outputs (and inputs) travel through S3.
        let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let s3 = aws_sdk_s3::Client::new(&sdk);
        if let Some(store) = actionkit::S3PayloadStore::from_env(s3, "vendor-enrichment/", 16 << 20)
        {
            resolver = resolver.payload_store(store, 200 * 1024);
        }
    }
    actionkit::serve(resolver).await
}
