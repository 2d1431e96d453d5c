//! Secrets (the webhook signing secret, the pseudonymization token key):
//! from AWS Secrets Manager, fetched on first use and cached for a few
//! minutes, or from the environment locally.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use actionkit::ActionError;
use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::error::DisplayErrorContext;

use crate::error::{key_unavailable, key_unusable};
use crate::keys::{Fault, classify};

/// How long a fetched secret is reused (rotation takes effect after this).
const CACHE_FOR: Duration = Duration::from_secs(300);

/// Where one secret comes from.
#[derive(Debug)]
pub enum SecretSource {
    /// A Secrets Manager secret (its `SecretString`).
    SecretsManager {
        /// The client.
        client: Client,
        /// Secret id or ARN.
        secret_id: String,
        /// The cached value and when it was fetched.
        cache: Mutex<Option<(Instant, Vec<u8>)>>,
    },
    /// A value from the environment: for local runs.
    Env(Vec<u8>),
    /// Not configured: operations that need it fail with `KeyUnusable`.
    Missing(&'static str),
}

impl SecretSource {
    /// A Secrets Manager source.
    pub fn secrets_manager(client: Client, secret_id: impl Into<String>) -> Self {
        SecretSource::SecretsManager {
            client,
            secret_id: secret_id.into(),
            cache: Mutex::new(None),
        }
    }

    /// The secret's bytes.
    pub async fn get(&self) -> Result<Vec<u8>, ActionError> {
        match self {
            SecretSource::Env(value) => Ok(value.clone()),
            SecretSource::Missing(name) => Err(key_unusable(format!("{name} is not configured"))),
            SecretSource::SecretsManager {
                client,
                secret_id,
                cache,
            } => {
                if let Ok(guard) = cache.lock()
                    && let Some((at, value)) = guard.as_ref()
                    && at.elapsed() < CACHE_FOR
                {
                    return Ok(value.clone());
                }
                let out = client
                    .get_secret_value()
                    .secret_id(secret_id)
                    .send()
                    .await
                    .map_err(|e| {
                        let detail = format!("GetSecretValue: {}", DisplayErrorContext(&e));
                        match classify(&e) {
                            Fault::Transient => key_unavailable(detail),
                            Fault::Configuration | Fault::Data => key_unusable(detail),
                        }
                    })?;
                let value = out
                    .secret_string()
                    .map(|s| s.as_bytes().to_vec())
                    .or_else(|| out.secret_binary().map(|b| b.as_ref().to_vec()))
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| key_unusable("the secret has no value"))?;
                if let Ok(mut guard) = cache.lock() {
                    *guard = Some((Instant::now(), value.clone()));
                }
                Ok(value)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Secrets Manager answers that moto cannot give, through the real SDK
    //! deserializer with aws-smithy-mocks.

    use aws_sdk_secretsmanager::config::retry::RetryConfig;
    use aws_sdk_secretsmanager::operation::get_secret_value::GetSecretValueOutput;
    use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};

    use super::*;

    fn source(rule: &Rule) -> SecretSource {
        SecretSource::secrets_manager(
            mock_client!(aws_sdk_secretsmanager, RuleMode::MatchAny, &[rule], |c| c
                .retry_config(RetryConfig::disabled())),
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:token-key",
        )
    }

    #[tokio::test]
    async fn configuration_faults_are_final_and_outages_retryable() {
        for (status, body, name, retryable) in [
            (
                400,
                r#"{"__type":"ResourceNotFoundException","Message":"Secrets Manager can't find the specified secret."}"#,
                "KeyUnusable",
                false,
            ),
            (
                400,
                r#"{"__type":"AccessDeniedException","Message":"User: arn:aws:sts::123456789012:assumed-role/x is not authorized"}"#,
                "KeyUnusable",
                false,
            ),
            (
                400,
                r#"{"__type":"DecryptionFailure","Message":"Secrets Manager can't decrypt the protected secret text using the provided KMS key."}"#,
                "KeyUnusable",
                false,
            ),
            (
                400,
                r#"{"__type":"InvalidRequestException","Message":"You can't perform this operation on the secret because it was marked for deletion."}"#,
                "KeyUnusable",
                false,
            ),
            (
                400,
                r#"{"__type":"ThrottlingException","Message":"Rate exceeded"}"#,
                "KeyUnavailable",
                true,
            ),
            (
                500,
                r#"{"__type":"InternalServiceError","Message":"internal"}"#,
                "KeyUnavailable",
                true,
            ),
            (503, "Service Unavailable", "KeyUnavailable", true),
        ] {
            let rule = mock!(aws_sdk_secretsmanager::Client::get_secret_value).then_http_response(
                move || {
                    aws_smithy_runtime_api::http::Response::new(
                        status.try_into().unwrap_or_else(|_| unreachable!()),
                        aws_smithy_types::body::SdkBody::from(body),
                    )
                },
            );
            let err = source(&rule).get().await.unwrap_err();
            assert_eq!(err.name(), name, "{body}");
            assert_eq!(err.is_retryable(), retryable, "{body}");
            assert!(!err.message().contains("123456789012"), "{}", err.message());
        }
    }

    #[tokio::test]
    async fn an_empty_or_unconfigured_secret_is_unusable_and_a_value_is_cached() {
        let empty = mock!(aws_sdk_secretsmanager::Client::get_secret_value)
            .then_output(|| GetSecretValueOutput::builder().secret_string("").build());
        let err = source(&empty).get().await.unwrap_err();
        assert_eq!((err.name(), err.is_retryable()), ("KeyUnusable", false));
        let err = SecretSource::Missing("the token key (TOKEN_KEY_SECRET_ARN)")
            .get()
            .await
            .unwrap_err();
        assert_eq!((err.name(), err.is_retryable()), ("KeyUnusable", false));

        let once = mock!(aws_sdk_secretsmanager::Client::get_secret_value)
            .then_output(|| GetSecretValueOutput::builder().secret_string("tok").build());
        let s = source(&once);
        assert_eq!(s.get().await.unwrap(), b"tok");
        assert_eq!(s.get().await.unwrap(), b"tok");
        assert_eq!(once.num_calls(), 1, "the second read is from the cache");
    }
}
