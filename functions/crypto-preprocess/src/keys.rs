//! Data keys for envelope encryption: from AWS KMS (GenerateDataKey,
//! AES-256, with the encryption context bound in), or — locally only — from
//! a master key in the environment or a file, clearly reported as not for
//! production.

use std::collections::BTreeMap;

use actionkit::ActionError;
use aws_sdk_kms::Client;
use aws_sdk_kms::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::DataKeySpec;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::aead::{self, Key};
use crate::error::{decrypt_failed, invalid, key_unavailable, key_unusable};
use crate::jcs::canonicalize;

/// An encryption context: non-secret facts (execution id, document id)
/// bound into every ciphertext; decryption needs exactly the same ones.
pub type Context = BTreeMap<String, String>;

/// Where data keys come from.
#[derive(Debug, Clone)]
pub enum KeyProvider {
    /// AWS KMS with this key id, alias or ARN.
    Kms {
        /// The KMS client.
        client: Client,
        /// The key.
        key_id: String,
    },
    /// A local master key: for development and the demo, never production.
    Local {
        /// The master key.
        master: Key,
    },
}

/// A wrapped data key, as it travels next to the ciphertexts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WrappedKey {
    /// `aws-kms`, or `local-not-for-production`.
    pub provider: String,
    /// The KMS key id (or `local`).
    pub key_id: String,
    /// The data key, encrypted under the master key (base64).
    pub wrapped_key: String,
}

/// The provider names in [`WrappedKey::provider`].
const KMS: &str = "aws-kms";
const LOCAL: &str = "local-not-for-production";

/// The RFC 8785 form of an encryption context: the bytes every ciphertext
/// bound to it authenticates (data keys, vaults, fields).
pub(crate) fn canonical_context(context: &Context) -> String {
    // A map of strings always serializes and canonicalizes.
    let value = serde_json::to_value(context).unwrap_or_default();
    canonicalize(&value).unwrap_or_default()
}

fn context_aad(context: &Context) -> Vec<u8> {
    canonical_context(context).into_bytes()
}

/// What a failed KMS or Secrets Manager call means for the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// The data does not belong to the key or context (KMS only).
    Data,
    /// The key or secret is configured wrong: no retry will help.
    Configuration,
    /// Throttling, an outage, a timeout, or anything unrecognized: retry.
    Transient,
}

/// The error codes of KMS and Secrets Manager that a configuration fault
/// produces: a key or secret that is missing, disabled, pending deletion,
/// of the wrong kind, or not permitted to this function's role.
const CONFIGURATION_CODES: &[&str] = &[
    // Both services, and every AWS JSON service for bad credentials.
    "AccessDeniedException",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "MissingAuthenticationToken",
    "IncompleteSignature",
    "OptInRequired",
    "InvalidClientTokenId",
    // KMS.
    "NotFoundException",
    "DisabledException",
    "KMSInvalidStateException",
    "InvalidKeyUsageException",
    "InvalidArnException",
    "CustomKeyStoreInvalidStateException",
    "UnsupportedOperationException",
    // Secrets Manager: deleted secret or disabled key, its KMS key refused.
    "ResourceNotFoundException",
    "InvalidRequestException",
    "InvalidParameterException",
    "DecryptionFailure",
];

/// Classifies a failed AWS SDK call. Unknown codes count as transient: a
/// wasted retry costs less than a lost run.
pub(crate) fn classify<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> Fault {
    match err {
        SdkError::ConstructionFailure(_) => Fault::Configuration,
        SdkError::ServiceError(_) => match err.code() {
            Some("InvalidCiphertextException" | "IncorrectKeyException") => Fault::Data,
            Some(code) if CONFIGURATION_CODES.contains(&code) => Fault::Configuration,
            _ => Fault::Transient,
        },
        _ => Fault::Transient,
    }
}

/// KMS errors: the data is wrong (final), the key is configured wrong
/// (final) or KMS is unavailable (retryable).
fn kms_error<
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
>(
    what: &str,
    err: SdkError<E, R>,
) -> ActionError {
    let detail = format!("KMS: {}", DisplayErrorContext(&err));
    match classify(&err) {
        Fault::Data => decrypt_failed(what).with_log_detail(detail),
        Fault::Configuration => key_unusable(detail),
        Fault::Transient => key_unavailable(detail),
    }
}

impl KeyProvider {
    /// How this provider is reported in outputs.
    pub fn name(&self) -> &'static str {
        match self {
            KeyProvider::Kms { .. } => KMS,
            KeyProvider::Local { .. } => LOCAL,
        }
    }

    /// A new AES-256 data key bound to `context`.
    pub async fn generate(&self, context: &Context) -> Result<(Key, WrappedKey), ActionError> {
        match self {
            KeyProvider::Kms { client, key_id } => {
                let out = client
                    .generate_data_key()
                    .key_id(key_id)
                    .key_spec(DataKeySpec::Aes256)
                    .set_encryption_context(Some(context.clone().into_iter().collect()))
                    .send()
                    .await
                    .map_err(|e| kms_error("the data key", e))?;
                let plain: Key = out
                    .plaintext()
                    .and_then(|b| b.as_ref().try_into().ok())
                    .ok_or_else(|| {
                        key_unavailable("GenerateDataKey returned no 32-byte plaintext")
                    })?;
                let wrapped = out
                    .ciphertext_blob()
                    .map(|b| B64.encode(b.as_ref()))
                    .unwrap_or_default();
                Ok((
                    plain,
                    WrappedKey {
                        provider: KMS.into(),
                        key_id: out.key_id().unwrap_or(key_id).to_owned(),
                        wrapped_key: wrapped,
                    },
                ))
            }
            KeyProvider::Local { master } => {
                let data_key = aead::random::<32>();
                let (nonce, ct) = aead::seal(master, &context_aad(context), &data_key);
                let mut blob = nonce.to_vec();
                blob.extend_from_slice(&ct);
                Ok((
                    data_key,
                    WrappedKey {
                        provider: LOCAL.into(),
                        key_id: "local".into(),
                        wrapped_key: B64.encode(blob),
                    },
                ))
            }
        }
    }

    /// The plaintext data key of `wrapped`, if `context` is the one it was made with.
    pub async fn unwrap(
        &self,
        wrapped: &WrappedKey,
        context: &Context,
    ) -> Result<Key, ActionError> {
        let blob = B64
            .decode(wrapped.wrapped_key.as_bytes())
            .map_err(|_| invalid("`wrapped_key` is not valid base64."))?;
        if wrapped.provider != self.name() {
            return Err(decrypt_failed("The data key").with_log_detail(format!(
                "wrapped by {}, this function uses {}",
                wrapped.provider,
                self.name()
            )));
        }
        match self {
            KeyProvider::Kms { client, key_id } => {
                let out = client
                    .decrypt()
                    .key_id(key_id)
                    .ciphertext_blob(Blob::new(blob))
                    .set_encryption_context(Some(context.clone().into_iter().collect()))
                    .send()
                    .await
                    .map_err(|e| kms_error("The data key", e))?;
                out.plaintext()
                    .and_then(|b| b.as_ref().try_into().ok())
                    .ok_or_else(|| decrypt_failed("The data key"))
            }
            KeyProvider::Local { master } => {
                if blob.len() < 12 {
                    return Err(decrypt_failed("The data key"));
                }
                aead::open(master, &blob[..12], &context_aad(context), &blob[12..])
                    .and_then(|k| k.try_into().ok())
                    .ok_or_else(|| decrypt_failed("The data key"))
            }
        }
    }
}

/// Decodes a base64 master key of exactly 32 bytes.
pub fn parse_master_key(text: &str) -> Result<Key, String> {
    B64.decode(text.trim().as_bytes())
        .ok()
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| "a master key must be 32 bytes, base64-encoded".to_owned())
}

/// Checks a caller's encryption context: a few short, printable entries.
pub fn check_context(context: &Context) -> Result<(), ActionError> {
    if context.is_empty() || context.len() > 8 {
        return Err(invalid(
            "`context` must hold 1 to 8 entries, e.g. {\"document_id\": \"INV-42\", \"execution_id\": \"...\"}.",
        ));
    }
    for (k, v) in context {
        if k.is_empty()
            || k.len() > 64
            || v.len() > 256
            || k.chars().chain(v.chars()).any(char::is_control)
        {
            return Err(invalid(
                "`context` keys must be 1 to 64 characters and values at most 256, without control characters.",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    //! KMS answers that moto cannot give (disabled keys, keys pending
    //! deletion, throttling, outages), through the real SDK deserializer
    //! with aws-smithy-mocks.

    use aws_sdk_kms::config::retry::RetryConfig;
    use aws_sdk_kms::operation::generate_data_key::GenerateDataKeyError;
    use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
    use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

    use super::*;

    fn response(status: u16, body: &'static str) -> HttpResponse {
        aws_smithy_runtime_api::http::Response::new(
            status.try_into().unwrap_or_else(|_| unreachable!()),
            aws_smithy_types::body::SdkBody::from(body),
        )
    }

    fn provider(rules: &[&Rule]) -> KeyProvider {
        KeyProvider::Kms {
            client: mock_client!(aws_sdk_kms, RuleMode::MatchAny, rules, |c| c
                .retry_config(RetryConfig::disabled())),
            key_id: "alias/actionkit".into(),
        }
    }

    fn context() -> Context {
        Context::from([("document_id".to_owned(), "D-1".to_owned())])
    }

    fn wrapped() -> WrappedKey {
        WrappedKey {
            provider: KMS.into(),
            key_id: "alias/actionkit".into(),
            wrapped_key: B64.encode([1u8; 64]),
        }
    }

    /// (HTTP status, AWS JSON error body, the name, retryable).
    const ANSWERS: &[(u16, &str, &str, bool)] = &[
        (
            400,
            r#"{"__type":"AccessDeniedException","message":"User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: kms:GenerateDataKey"}"#,
            "KeyUnusable",
            false,
        ),
        (
            400,
            r#"{"__type":"NotFoundException","message":"Alias arn:aws:kms:eu-west-1:123456789012:alias/actionkit is not found."}"#,
            "KeyUnusable",
            false,
        ),
        (
            400,
            r#"{"__type":"DisabledException","message":"arn:aws:kms:eu-west-1:123456789012:key/1234 is disabled."}"#,
            "KeyUnusable",
            false,
        ),
        (
            400,
            r#"{"__type":"KMSInvalidStateException","message":"arn:aws:kms:eu-west-1:123456789012:key/1234 is pending deletion."}"#,
            "KeyUnusable",
            false,
        ),
        (
            400,
            r#"{"__type":"InvalidKeyUsageException","message":"The key is not a symmetric encryption key."}"#,
            "KeyUnusable",
            false,
        ),
        (
            400,
            r#"{"__type":"InvalidArnException","message":"Invalid arn"}"#,
            "KeyUnusable",
            false,
        ),
        (
            400,
            r#"{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}"#,
            "KeyUnusable",
            false,
        ),
        (
            400,
            r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
            "KeyUnavailable",
            true,
        ),
        (
            400,
            r#"{"__type":"LimitExceededException","message":"Too many requests"}"#,
            "KeyUnavailable",
            true,
        ),
        (
            500,
            r#"{"__type":"KMSInternalException","message":"internal"}"#,
            "KeyUnavailable",
            true,
        ),
        (
            500,
            r#"{"__type":"DependencyTimeoutException","message":"timeout"}"#,
            "KeyUnavailable",
            true,
        ),
        (
            500,
            r#"{"__type":"KeyUnavailableException","message":"The key is not available; retry."}"#,
            "KeyUnavailable",
            true,
        ),
        (503, "Service Unavailable", "KeyUnavailable", true),
    ];

    #[tokio::test]
    async fn configuration_faults_are_final_and_outages_retryable() {
        for &(status, body, name, retryable) in ANSWERS {
            let generate = mock!(aws_sdk_kms::Client::generate_data_key)
                .then_http_response(move || response(status, body));
            let decrypt = mock!(aws_sdk_kms::Client::decrypt)
                .then_http_response(move || response(status, body));
            let keys = provider(&[&generate, &decrypt]);
            let errors = [
                keys.generate(&context()).await.map(|_| ()).unwrap_err(),
                keys.unwrap(&wrapped(), &context())
                    .await
                    .map(|_| ())
                    .unwrap_err(),
            ];
            for err in errors {
                assert_eq!(err.name(), name, "{body}");
                assert_eq!(err.is_retryable(), retryable, "{body}");
                assert!(
                    !err.message().contains("arn:aws") && !err.message().contains("123456789012"),
                    "AWS's message is not passed on: {}",
                    err.message()
                );
            }
        }
    }

    #[tokio::test]
    async fn a_ciphertext_of_another_key_or_context_is_decrypt_failed() {
        for body in [
            r#"{"__type":"InvalidCiphertextException","message":""}"#,
            r#"{"__type":"IncorrectKeyException","message":"The key ID in the request does not identify the CMK used to encrypt the ciphertext."}"#,
        ] {
            let decrypt =
                mock!(aws_sdk_kms::Client::decrypt).then_http_response(move || response(400, body));
            let err = provider(&[&decrypt])
                .unwrap(&wrapped(), &context())
                .await
                .unwrap_err();
            assert_eq!(err.name(), "DecryptFailed", "{body}");
            assert!(!err.is_retryable());
        }
    }

    #[test]
    fn errors_without_an_answer_are_classified_too() {
        type E = SdkError<GenerateDataKeyError, HttpResponse>;
        assert_eq!(classify(&E::timeout_error("slow")), Fault::Transient);
        assert_eq!(
            classify(&E::construction_failure("no region")),
            Fault::Configuration
        );
    }
}
