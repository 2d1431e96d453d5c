//! Against a real moto server: KMS data keys with encryption context,
//! the webhook secret and token key from Secrets Manager, and payloads over
//! the Step Functions limit through S3.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use actionkit::{Resolver, S3PayloadStore};
use actionkit_testkit::Moto;
use crypto_preprocess::{AppState, KeyProvider, SecretSource, resolver, sign};
use serde_json::{Value, json};

const BUCKET: &str = "workflow-payloads";
const WEBHOOK_SECRET: &str = "whsec_5f2b8a1c9d";

async fn setup() -> (Moto, Resolver<Arc<AppState>>, aws_sdk_s3::Client) {
    let moto = Moto::start();
    let kms = actionkit_testkit::moto_client!(aws_sdk_kms, moto.endpoint());
    let secrets = actionkit_testkit::moto_client!(aws_sdk_secretsmanager, moto.endpoint());
    let s3 =
        actionkit_testkit::moto_client!(aws_sdk_s3, moto.endpoint(), |b| b.force_path_style(true));
    let key_id = kms
        .create_key()
        .description("actionkit test")
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap()
        .key_id;
    let webhook = secrets
        .create_secret()
        .name("webhook")
        .secret_string(WEBHOOK_SECRET)
        .send()
        .await
        .unwrap();
    let token = secrets
        .create_secret()
        .name("token-key")
        .secret_string("tok_9c1d77e0a4b3")
        .send()
        .await
        .unwrap();
    s3.create_bucket().bucket(BUCKET).send().await.unwrap();
    let state = AppState {
        keys: KeyProvider::Kms {
            client: kms,
            key_id,
        },
        webhook_secret: SecretSource::secrets_manager(secrets.clone(), webhook.arn.unwrap()),
        token_key: SecretSource::secrets_manager(secrets, token.arn.unwrap()),
    };
    let store = S3PayloadStore::new(s3.clone(), BUCKET, "crypto/", 16 << 20);
    let r = resolver(Arc::new(state)).payload_store(store, actionkit::OFFLOAD_ABOVE_BYTES);
    (moto, r, s3)
}

async fn task(
    r: &Resolver<Arc<AppState>>,
    name: &str,
    input: Value,
) -> Result<Value, actionkit::Diagnostic> {
    let mut context = actionkit::Context::default();
    context.request_id = format!("req-{name}-{}", input.to_string().len());
    r.handle(json!({"task": name, "input": input}), context)
        .await
        .map(|raw| serde_json::from_str(raw.get()).unwrap())
}

const LETTER: &str = "Dear Jane Doe, we refunded 120.00 EUR to DE89 3704 0044 0532 0130 00. \
    Questions: jane.doe@example.com or +49 30 901820. Card 4111 1111 1111 1111 was not charged.";

#[tokio::test]
async fn pseudonymize_and_reidentify_with_kms() {
    let (_moto, r, _) = setup().await;
    let out = task(
        &r,
        "pseudonymize",
        json!({"document_id": "INV-42", "text": LETTER, "context": {"execution_id": "exec-1"}}),
    )
    .await
    .unwrap();
    assert_eq!(out["key_provider"], "aws-kms");
    let text = out["text"].as_str().unwrap();
    for secret in ["DE89", "jane.doe@example.com", "+49 30", "4111"] {
        assert!(!text.contains(secret), "{secret}: {text}");
    }
    assert!(
        !out["vault"].to_string().contains("jane"),
        "the vault is encrypted"
    );
    // The context the vault is sealed under comes back, and opens it as is.
    assert_eq!(
        out["context"],
        json!({"execution_id": "exec-1", "document_id": "INV-42", "purpose": "pseudonymization-vault"})
    );
    let back = task(&r, "reidentify", json!({"document_id": "INV-42", "text": text, "vault": out["vault"], "context": out["context"]})).await.unwrap();
    assert_eq!(back["text"], LETTER);
    // The model answers with the tokens; re-identification restores the exact values.
    let model = text.replace("Dear", "Hello");
    let back = task(&r, "reidentify", json!({"document_id": "INV-42", "text": model, "vault": out["vault"], "context": {"execution_id": "exec-1"}})).await.unwrap();
    assert_eq!(back["text"], LETTER.replace("Dear", "Hello"));
    assert_eq!(back["replaced"], 4);
    // Another document's id, another context, a tampered vault: all refused.
    for (id, ctx) in [("INV-43", "exec-1"), ("INV-42", "exec-2")] {
        let err = task(&r, "reidentify", json!({"document_id": id, "text": model, "vault": out["vault"], "context": {"execution_id": ctx}})).await.unwrap_err();
        assert_eq!(
            err.error_type, "CryptoPreprocess.DecryptFailed",
            "{id} {ctx}"
        );
    }
    let mut tampered = out["vault"].clone();
    let ct = tampered["ciphertext"].as_str().unwrap().to_owned();
    tampered["ciphertext"] = format!(
        "{}{}",
        if ct.starts_with('A') { "B" } else { "A" },
        &ct[1..]
    )
    .into();
    let err = task(&r, "reidentify", json!({"document_id": "INV-42", "text": model, "vault": tampered, "context": {"execution_id": "exec-1"}})).await.unwrap_err();
    assert_eq!(err.error_type, "CryptoPreprocess.DecryptFailed");
}

#[tokio::test]
async fn field_encryption_round_trip_with_kms() {
    let (_moto, r, _) = setup().await;
    let doc = json!({"invoice": "INV-42", "customer": {"iban": "DE89370400440532013000", "email": "jane@example.com"}, "lines": [{"card": "4111111111111111", "amount": 12.5}]});
    let context = json!({"execution_id": "exec-1", "document_id": "INV-42"});
    let enc = task(&r, "encrypt_fields", json!({"document": doc, "fields": ["customer.iban", "customer.email", "lines.*.card", "customer.phone"], "context": context})).await.unwrap();
    assert_eq!(enc["encrypted"], 3);
    assert_eq!(enc["missing_fields"], json!(["customer.phone"]));
    assert!(!enc["document"].to_string().contains("DE89"));
    assert_eq!(enc["document"]["invoice"], "INV-42");
    let dec = task(
        &r,
        "decrypt_fields",
        json!({"document": enc["document"], "key": enc["key"], "context": context}),
    )
    .await
    .unwrap();
    assert_eq!(dec["document"], doc, "the exact JSON comes back");
    assert_eq!(dec["decrypted"], 3);
    // Wrong context: KMS refuses the data key.
    let err = task(&r, "decrypt_fields", json!({"document": enc["document"], "key": enc["key"], "context": {"execution_id": "exec-2", "document_id": "INV-42"}})).await.unwrap_err();
    assert_eq!(err.error_type, "CryptoPreprocess.DecryptFailed");
    // A ciphertext moved to another field does not decrypt.
    let mut moved = enc["document"].clone();
    moved["customer"]["email"] = enc["document"]["customer"]["iban"].clone();
    let err = task(
        &r,
        "decrypt_fields",
        json!({"document": moved, "key": enc["key"], "context": context}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_type, "CryptoPreprocess.DecryptFailed");
}

#[tokio::test]
async fn webhook_signatures_with_the_secret_from_secrets_manager() {
    let (_moto, r, _) = setup().await;
    let payload = r#"{"event":"invoice.created","id":"INV-42"}"#;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let header = sign(WEBHOOK_SECRET.as_bytes(), payload.as_bytes(), now);
    let ok = task(
        &r,
        "verify_signature",
        json!({"payload": payload, "signature_header": header}),
    )
    .await
    .unwrap();
    assert_eq!(ok["verified"], true);
    let err = task(
        &r,
        "verify_signature",
        json!({"payload": payload.replace("42", "43"), "signature_header": header}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_type, "CryptoPreprocess.SignatureMismatch");
    let old = sign(WEBHOOK_SECRET.as_bytes(), payload.as_bytes(), now - 3600);
    let err = task(
        &r,
        "verify_signature",
        json!({"payload": payload, "signature_header": old}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_type, "CryptoPreprocess.StaleTimestamp");
}

#[tokio::test]
async fn payloads_over_256_kib_travel_through_s3() {
    let (_moto, r, s3) = setup().await;
    let big: String = (0..4000)
        .map(|i| {
            format!("Line {i}: contact customer{i}@example.com about order {i} and its delivery.\n")
        })
        .collect();
    assert!(big.len() > 256 * 1024);
    let out = task(
        &r,
        "pseudonymize",
        json!({"document_id": "BIG-1", "text": big}),
    )
    .await
    .unwrap();
    let reference = out["payload_ref"].clone();
    assert_eq!(reference["bucket"], BUCKET);
    assert!(
        reference["key"]
            .as_str()
            .unwrap()
            .starts_with("crypto/pseudonymize/")
    );
    let stored = s3
        .get_object()
        .bucket(BUCKET)
        .key(reference["key"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let stored: Value =
        serde_json::from_slice(&stored.body.collect().await.unwrap().into_bytes()).unwrap();
    assert!(!stored["text"].as_str().unwrap().contains("@example.com"));
    // The next step reads it by reference: the pseudonymize output is a valid reidentify input.
    let back = task(&r, "reidentify", json!({"payload_ref": reference}))
        .await
        .unwrap();
    let back_ref = back["payload_ref"].clone();
    let restored = s3
        .get_object()
        .bucket(BUCKET)
        .key(back_ref["key"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let restored: Value =
        serde_json::from_slice(&restored.body.collect().await.unwrap().into_bytes()).unwrap();
    assert_eq!(restored["text"], big);
    assert_eq!(restored["replaced"], 4000);
    // A stored digest input is checked as stored: duplicate keys refused.
    let stored_input = r#"{"json":{"amount":10,"amount":1000}}"#;
    s3.put_object()
        .bucket(BUCKET)
        .key("crypto/in/duplicate.json")
        .body(stored_input.as_bytes().to_vec().into())
        .send()
        .await
        .unwrap();
    let err = task(
        &r,
        "digest",
        json!({"payload_ref": {"bucket": BUCKET, "key": "crypto/in/duplicate.json", "bytes": stored_input.len()}}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_type, "CryptoPreprocess.DuplicateKey");
    // A reference outside the bucket or prefix is refused.
    let err = task(
        &r,
        "reidentify",
        json!({"payload_ref": {"bucket": "other", "key": "crypto/x", "bytes": 1}}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_type, "CryptoPreprocess.Forbidden");
}

/// An unknown KMS key and an unconfigured secret are configuration faults:
/// the final `KeyUnusable`, which no workflow retries.
#[tokio::test]
async fn an_unknown_kms_key_or_a_missing_secret_is_final_key_unusable() {
    let moto = Moto::start();
    let kms = actionkit_testkit::moto_client!(aws_sdk_kms, moto.endpoint());
    let state = AppState {
        keys: KeyProvider::Kms {
            client: kms,
            key_id: "alias/does-not-exist".into(),
        },
        webhook_secret: SecretSource::Missing("webhook"),
        token_key: SecretSource::Env(b"k".to_vec()),
    };
    let r = resolver(Arc::new(state));
    // moto answers NotFoundException for the alias.
    let err = task(
        &r,
        "encrypt_fields",
        json!({"document": {"a": 1}, "fields": ["a"], "context": {"document_id": "D"}}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_type, "CryptoPreprocess.KeyUnusable");
    assert!(
        !err.error_message.contains("does-not-exist"),
        "{}",
        err.error_message
    );
    let err = task(
        &r,
        "verify_signature",
        json!({"payload": "x", "signature_header": format!("t=1,v1={}", "00".repeat(32))}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_type, "CryptoPreprocess.KeyUnusable");
}

/// The Secrets Manager faults moto can give: a secret that does not exist
/// (ResourceNotFoundException) and one marked for deletion
/// (InvalidRequestException). Both are final.
#[tokio::test]
async fn a_missing_or_deleted_secret_is_final_key_unusable() {
    let moto = Moto::start();
    let secrets = actionkit_testkit::moto_client!(aws_sdk_secretsmanager, moto.endpoint());
    let deleted = secrets
        .create_secret()
        .name("token-key-deleted")
        .secret_string("tok")
        .send()
        .await
        .unwrap();
    secrets
        .delete_secret()
        .secret_id(deleted.arn().unwrap())
        .recovery_window_in_days(7)
        .send()
        .await
        .unwrap();
    let missing = "arn:aws:secretsmanager:us-east-1:123456789012:secret:never-created-AbCdEf";
    for secret_id in [missing, deleted.arn().unwrap()] {
        let state = AppState {
            keys: KeyProvider::Local { master: [1; 32] },
            webhook_secret: SecretSource::Missing("webhook"),
            token_key: SecretSource::secrets_manager(secrets.clone(), secret_id),
        };
        let err = task(
            &resolver(Arc::new(state)),
            "pseudonymize",
            json!({"document_id": "D-1", "text": "mail jane@example.com"}),
        )
        .await
        .unwrap_err();
        assert_eq!(
            err.error_type, "CryptoPreprocess.KeyUnusable",
            "{secret_id}"
        );
        assert!(!err.error_message.contains("jane"), "{}", err.error_message);
    }
}

/// moto refuses a Decrypt that names another key than the one the data key
/// was wrapped with as AccessDeniedException (AWS itself would say
/// IncorrectKeyException): the class, denied access, is final.
#[tokio::test]
async fn access_denied_by_kms_is_final_key_unusable() {
    let moto = Moto::start();
    let kms = actionkit_testkit::moto_client!(aws_sdk_kms, moto.endpoint());
    let with_key = |key_id: String| {
        resolver(Arc::new(AppState {
            keys: KeyProvider::Kms {
                client: kms.clone(),
                key_id,
            },
            webhook_secret: SecretSource::Missing("webhook"),
            token_key: SecretSource::Env(b"k".to_vec()),
        }))
    };
    let mut keys = Vec::new();
    for _ in 0..2 {
        keys.push(
            kms.create_key()
                .send()
                .await
                .unwrap()
                .key_metadata
                .unwrap()
                .key_id,
        );
    }
    let out = task(
        &with_key(keys[0].clone()),
        "pseudonymize",
        json!({"document_id": "INV-7", "text": "mail jane@example.com"}),
    )
    .await
    .unwrap();
    let err = task(
        &with_key(keys[1].clone()),
        "reidentify",
        json!({"document_id": "INV-7", "text": out["text"], "vault": out["vault"], "context": out["context"]}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_type, "CryptoPreprocess.KeyUnusable");
    assert!(
        !err.error_message.contains(&keys[0]),
        "{}",
        err.error_message
    );
}

/// KMS and Secrets Manager down (nothing listens): the retryable
/// `KeyUnavailable`.
#[tokio::test]
async fn an_unreachable_service_is_retryable_key_unavailable() {
    let endpoint = "http://127.0.0.1:9";
    let no_retry = |b: aws_sdk_kms::config::Builder| {
        b.retry_config(aws_sdk_kms::config::retry::RetryConfig::disabled())
    };
    let kms = actionkit_testkit::moto_client!(aws_sdk_kms, endpoint, no_retry);
    let secrets = actionkit_testkit::moto_client!(aws_sdk_secretsmanager, endpoint, |b| b
        .retry_config(aws_sdk_secretsmanager::config::retry::RetryConfig::disabled()));
    let r = resolver(Arc::new(AppState {
        keys: KeyProvider::Kms {
            client: kms,
            key_id: "alias/actionkit".into(),
        },
        webhook_secret: SecretSource::secrets_manager(secrets, "webhook"),
        token_key: SecretSource::Env(b"k".to_vec()),
    }));
    let err = task(
        &r,
        "encrypt_fields",
        json!({"document": {"a": 1}, "fields": ["a"], "context": {"document_id": "D"}}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_type, "CryptoPreprocess.KeyUnavailable");
    let err = task(
        &r,
        "verify_signature",
        json!({"payload": "x", "signature_header": format!("t=1,v1={}", "00".repeat(32))}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_type, "CryptoPreprocess.KeyUnavailable");
}
