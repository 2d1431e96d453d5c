//! Configuration from the environment, read once at cold start, and the
//! function built from it.

use std::sync::Arc;

use actionkit::Resolver;

use crate::aead::Key;
use crate::keys::{KeyProvider, parse_master_key};
use crate::routes::{AppState, MAX_DOCUMENT_BYTES, resolver};
use crate::secrets::SecretSource;

/// Where the data key comes from.
#[derive(Clone)]
pub enum KeySetting {
    /// `KMS_KEY_ID`: an AWS KMS key id, alias or ARN.
    Kms(String),
    /// `LOCAL_MASTER_KEY` / `LOCAL_MASTER_KEY_FILE`: 32 bytes, base64. For
    /// development only.
    Local(Key),
}

impl std::fmt::Debug for KeySetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key itself.
        match self {
            KeySetting::Kms(id) => f.debug_tuple("Kms").field(id).finish(),
            KeySetting::Local(_) => f.write_str("Local(..)"),
        }
    }
}

/// Where a secret comes from.
#[derive(Clone)]
pub enum SecretSetting {
    /// A Secrets Manager secret id or ARN.
    SecretsManager(String),
    /// The value itself (local runs).
    Value(Vec<u8>),
    /// Not configured: the operations that need it answer `KeyUnusable`.
    Missing(&'static str),
}

impl std::fmt::Debug for SecretSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretSetting::SecretsManager(id) => f.debug_tuple("SecretsManager").field(id).finish(),
            SecretSetting::Value(_) => f.write_str("Value(..)"),
            SecretSetting::Missing(what) => f.debug_tuple("Missing").field(what).finish(),
        }
    }
}

/// Everything the function can be told through its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// The data key.
    pub key: KeySetting,
    /// `WEBHOOK_SECRET_ARN` (or `WEBHOOK_SECRET` locally).
    pub webhook_secret: SecretSetting,
    /// `TOKEN_KEY_SECRET_ARN` (or `TOKEN_KEY` locally).
    pub token_key: SecretSetting,
    /// `PAYLOAD_BUCKET` (and `PAYLOAD_PREFIX`): inputs and outputs over
    /// 200 KiB travel through S3.
    pub payload_bucket: bool,
}

/// A setting that cannot be used; the function refuses to start with it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Neither a KMS key nor a local key.
    #[error("no key configured: set KMS_KEY_ID (or LOCAL_MASTER_KEY for local runs)")]
    NoKey,
    /// The local key is not 32 bytes of base64.
    #[error("LOCAL_MASTER_KEY: {0}")]
    LocalKey(String),
    /// The AWS SDK's HTTPS client cannot be built (`SSL_CERT_FILE`/`SSL_CERT_DIR`).
    #[error(transparent)]
    Sdk(#[from] actionkit::SdkConfigError),
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let key = match env("KMS_KEY_ID") {
            Some(key_id) => KeySetting::Kms(key_id),
            None => {
                let text = env("LOCAL_MASTER_KEY").or_else(|| {
                    env("LOCAL_MASTER_KEY_FILE").and_then(|p| std::fs::read_to_string(p).ok())
                });
                let text = text.ok_or(ConfigError::NoKey)?;
                KeySetting::Local(parse_master_key(&text).map_err(ConfigError::LocalKey)?)
            }
        };
        let secret = |arn: &str, local: &str, what: &'static str| match (env(arn), env(local)) {
            (Some(id), _) => SecretSetting::SecretsManager(id),
            (None, Some(value)) => SecretSetting::Value(value.into_bytes()),
            (None, None) => SecretSetting::Missing(what),
        };
        Ok(Self {
            key,
            webhook_secret: secret(
                "WEBHOOK_SECRET_ARN",
                "WEBHOOK_SECRET",
                "the webhook secret (WEBHOOK_SECRET_ARN)",
            ),
            token_key: secret(
                "TOKEN_KEY_SECRET_ARN",
                "TOKEN_KEY",
                "the token key (TOKEN_KEY_SECRET_ARN)",
            ),
            payload_bucket: env("PAYLOAD_BUCKET").is_some(),
        })
    }

    /// The function: KMS, Secrets Manager and the payload store as
    /// configured, with the AWS SDK configuration loaded once — and only
    /// when one of them needs it: a local key with secrets given as values
    /// starts without the SDK's configuration chain (cold start).
    pub async fn function(self) -> Result<Resolver<Arc<AppState>>, ConfigError> {
        let mut sdk = None;
        let keys = match self.key {
            KeySetting::Kms(key_id) => KeyProvider::Kms {
                client: aws_sdk_kms::Client::from_conf(
                    aws_sdk_kms::config::Builder::from(&sdk_config(&mut sdk).await?)
                        .interceptor(actionkit::TraceHeader)
                        .build(),
                ),
                key_id,
            },
            KeySetting::Local(master) => {
                tracing::warn!(
                    "using a LOCAL master key: for development only, NOT FOR PRODUCTION (set KMS_KEY_ID)"
                );
                KeyProvider::Local { master }
            }
        };
        let needs_secrets = [&self.webhook_secret, &self.token_key]
            .iter()
            .any(|s| matches!(s, SecretSetting::SecretsManager(_)));
        let secrets = match needs_secrets {
            true => Some(aws_sdk_secretsmanager::Client::from_conf(
                aws_sdk_secretsmanager::config::Builder::from(&sdk_config(&mut sdk).await?)
                    .interceptor(actionkit::TraceHeader)
                    .build(),
            )),
            false => None,
        };
        let source = |setting: SecretSetting| match (setting, &secrets) {
            (SecretSetting::SecretsManager(id), Some(secrets)) => {
                SecretSource::secrets_manager(secrets.clone(), id)
            }
            // Not reached: a Secrets Manager setting made `secrets` above.
            (SecretSetting::SecretsManager(_), None) => SecretSource::Missing("the secret"),
            (SecretSetting::Value(value), _) => SecretSource::Env(value),
            (SecretSetting::Missing(what), _) => SecretSource::Missing(what),
        };
        let state = AppState {
            keys,
            webhook_secret: source(self.webhook_secret),
            token_key: source(self.token_key),
        };
        let mut function = resolver(Arc::new(state));
        if self.payload_bucket {
            // Inputs and outputs over ~200 KiB travel through S3 (256 KiB per state).
            let s3 = aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(&sdk_config(&mut sdk).await?)
                    .interceptor(actionkit::TraceHeader)
                    .build(),
            );
            if let Some(store) =
                actionkit::S3PayloadStore::from_env(s3, "crypto-preprocess/", MAX_DOCUMENT_BYTES)
            {
                function = function.payload_store(store, actionkit::OFFLOAD_ABOVE_BYTES);
            }
        }
        Ok(function)
    }
}

/// The AWS SDK configuration, loaded on first need (with compiled-in roots:
/// no certificate files read at cold start) and then shared.
async fn sdk_config(
    slot: &mut Option<aws_config::SdkConfig>,
) -> Result<aws_config::SdkConfig, ConfigError> {
    match slot {
        Some(sdk) => Ok(sdk.clone()),
        None => {
            let sdk = actionkit::aws_sdk_config().await?;
            *slot = Some(sdk.clone());
            Ok(sdk)
        }
    }
}
