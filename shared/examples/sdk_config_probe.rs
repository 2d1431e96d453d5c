//! For `shared/tests/sdk_config.rs`: loads the SDK configuration twice in
//! the environment it is started with, through `actionkit::aws_sdk_config`
//! and through `aws_config`'s default chains, and prints the region and
//! credentials each resolved, as one JSON line. The test starts it with
//! generated environments (the variables are process-wide, so each case is
//! a process of its own).
//!
//! ```text
//! AWS_REGION=eu-west-1 AWS_ACCESS_KEY_ID=AKID AWS_SECRET_ACCESS_KEY=s cargo run --example sdk_config_probe
//! ```

use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::provider::ProvideCredentials;
use serde_json::{Value, json};

async fn resolved(sdk: &SdkConfig) -> Value {
    let credentials = match sdk.credentials_provider() {
        None => json!({"error": "no credentials provider"}),
        Some(provider) => match provider.provide_credentials().await {
            Ok(c) => json!({
                "access_key_id": c.access_key_id(),
                "secret_access_key": c.secret_access_key(),
                "session_token": c.session_token(),
                "account_id": c.account_id().map(|a| a.as_str().to_owned()),
                "expiry": c.expiry().is_some(),
            }),
            // Either chain may word its failure differently: that it failed is compared.
            Err(_) => json!({"error": "no credentials"}),
        },
    };
    json!({
        "region": sdk.region().map(|r| r.as_ref().to_owned()),
        "credentials": credentials,
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let ours = match actionkit::aws_sdk_config().await {
        Ok(sdk) => resolved(&sdk).await,
        Err(e) => json!({"error": e.to_string()}),
    };
    let default = resolved(&aws_config::defaults(BehaviorVersion::latest()).load().await).await;
    println!("{}", json!({"actionkit": ours, "aws_config": default}));
}
