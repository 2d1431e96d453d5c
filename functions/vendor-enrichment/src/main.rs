//! The Lambda entry point: rules and the vendor store are set up once, at
//! cold start. `VENDOR_TABLE` selects DynamoDB; without it the embedded
//! master file is used.

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
    match actionkit::run(resolver(Arc::new(AppState { store, rules }))).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "runtime stopped");
            ExitCode::FAILURE
        }
    }
}
