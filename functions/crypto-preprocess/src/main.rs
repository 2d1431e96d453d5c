//! The Lambda entry point. Keys: `KMS_KEY_ID` (AWS KMS) or, locally only,
//! `LOCAL_MASTER_KEY` / `LOCAL_MASTER_KEY_FILE` (32 bytes, base64).
//! Secrets: `WEBHOOK_SECRET_ARN` / `TOKEN_KEY_SECRET_ARN` (Secrets
//! Manager), or `WEBHOOK_SECRET` / `TOKEN_KEY` locally. Large payloads:
//! `PAYLOAD_BUCKET` (and `PAYLOAD_PREFIX`).

use std::process::ExitCode;
use std::sync::Arc;

use crypto_preprocess::{AppState, KeyProvider, SecretSource, parse_master_key, resolver};

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

#[tokio::main]
async fn main() -> ExitCode {
    actionkit::init_tracing();
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let keys = if let Some(key_id) = env("KMS_KEY_ID") {
        KeyProvider::Kms {
            client: aws_sdk_kms::Client::new(&sdk),
            key_id,
        }
    } else {
        let text = env("LOCAL_MASTER_KEY")
            .or_else(|| env("LOCAL_MASTER_KEY_FILE").and_then(|p| std::fs::read_to_string(p).ok()));
        match text.as_deref().map(parse_master_key) {
            Some(Ok(master)) => {
                tracing::warn!(
                    "using a LOCAL master key: for development only, NOT FOR PRODUCTION (set KMS_KEY_ID)"
                );
                KeyProvider::Local { master }
            }
            Some(Err(e)) => {
                tracing::error!("LOCAL_MASTER_KEY: {e}");
                return ExitCode::FAILURE;
            }
            None => {
                tracing::error!(
                    "no key configured: set KMS_KEY_ID (or LOCAL_MASTER_KEY for local runs)"
                );
                return ExitCode::FAILURE;
            }
        }
    };
    let secrets = aws_sdk_secretsmanager::Client::new(&sdk);
    let source = |arn: &str, local: &str, name: &'static str| match (env(arn), env(local)) {
        (Some(id), _) => SecretSource::secrets_manager(secrets.clone(), id),
        (None, Some(value)) => SecretSource::Env(value.into_bytes()),
        (None, None) => SecretSource::Missing(name),
    };
    let state = AppState {
        keys,
        webhook_secret: source(
            "WEBHOOK_SECRET_ARN",
            "WEBHOOK_SECRET",
            "the webhook secret (WEBHOOK_SECRET_ARN)",
        ),
        token_key: source(
            "TOKEN_KEY_SECRET_ARN",
            "TOKEN_KEY",
            "the token key (TOKEN_KEY_SECRET_ARN)",
        ),
    };
    let mut resolver = resolver(Arc::new(state));
    // Inputs and outputs over ~200 KiB travel through S3 (256 KiB per state).
    let s3 = aws_sdk_s3::Client::new(&sdk);
    if let Some(store) = actionkit::S3PayloadStore::from_env(
        s3,
        "crypto-preprocess/",
        crypto_preprocess::MAX_DOCUMENT_BYTES,
    ) {
        resolver = resolver.payload_store(store, 200 * 1024);
    }
    actionkit::serve(resolver).await
}
