//! Every operation with the local key provider: round trips, tampering,
//! the bad inputs, the log output, and the committed OpenAPI document.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use actionkit::Resolver;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use crypto_preprocess::{
    ACTION_GROUP, AppState, KeyProvider, OPENAPI_INFO, SecretSource, resolver, sign,
};
use serde_json::{Value, json};

const MASTER: [u8; 32] = [7; 32];
const TOKEN_KEY: &str = "token-key-for-tests";
const WEBHOOK: &str = "whsec_local_test";

fn app(master: [u8; 32]) -> Resolver<Arc<AppState>> {
    resolver(Arc::new(AppState {
        keys: KeyProvider::Local { master },
        webhook_secret: SecretSource::Env(WEBHOOK.as_bytes().to_vec()),
        token_key: SecretSource::Env(TOKEN_KEY.as_bytes().to_vec()),
    }))
}

async fn task(
    r: &Resolver<Arc<AppState>>,
    name: &str,
    input: Value,
) -> Result<Value, actionkit::Diagnostic> {
    r.handle(
        json!({"task": name, "input": input}),
        actionkit::Context::default(),
    )
    .await
    .map(|raw| serde_json::from_str(raw.get()).unwrap())
}

const PII_DOC: &str = "Customer Jane Doe <jane.doe@example.com>, phone +44 20 7946 0958, IBAN GB29 NWBK 6016 1331 9268 19, \
    card 5500-0000-0000-0004, logged in from 203.0.113.77.";

fn pii_json() -> Value {
    json!({"customer": {"name": "Jane Doe", "address": "221B Baker Street, London", "email": "jane.doe@example.com"},
           "note": PII_DOC, "amount": 120.5})
}

#[tokio::test]
async fn digests_of_text_bytes_and_canonical_json() {
    let r = app(MASTER);
    let d = task(&r, "digest", json!({"text": "abc"})).await.unwrap();
    assert_eq!(
        d["sha256"],
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let d2 = task(&r, "digest", json!({"base64": B64.encode("abc")}))
        .await
        .unwrap();
    assert_eq!(d2["sha256"], d["sha256"]);
    let a = task(&r, "digest", json!({"json": {"b": [1.0, 2], "a": "é"}}))
        .await
        .unwrap();
    let b = task(
        &r,
        "digest",
        json!({"json": {"a": "\u{e9}", "b": [1, 2.00]}}),
    )
    .await
    .unwrap();
    assert_eq!(a["sha256"], b["sha256"]);
    assert_eq!(a["canonicalization"], "RFC8785");
}

#[tokio::test]
async fn json_pseudonymization_round_trip_and_field_labels() {
    let r = app(MASTER);
    let out = task(&r, "pseudonymize", json!({"document_id": "D-1", "document": pii_json(), "fields": {"customer.name": "NAME", "customer.address": "ADDRESS"}})).await.unwrap();
    assert_eq!(out["key_provider"], "local-not-for-production");
    let doc = &out["document"];
    assert!(
        doc["customer"]["name"]
            .as_str()
            .unwrap()
            .starts_with("<NAME_")
    );
    assert!(
        doc["customer"]["address"]
            .as_str()
            .unwrap()
            .starts_with("<ADDRESS_")
    );
    assert!(
        doc["customer"]["email"]
            .as_str()
            .unwrap()
            .starts_with("<EMAIL_")
    );
    assert_eq!(doc["amount"], 120.5);
    // The same e-mail in the note gets the same token: the model sees "the same person".
    assert!(
        doc["note"]
            .as_str()
            .unwrap()
            .contains(doc["customer"]["email"].as_str().unwrap())
    );
    let back = task(
        &r,
        "reidentify",
        json!({"document_id": "D-1", "document": doc, "vault": out["vault"]}),
    )
    .await
    .unwrap();
    assert_eq!(back["document"], pii_json());
}

#[tokio::test]
async fn bad_inputs_are_named_errors() {
    let r = app(MASTER);
    let p = task(
        &r,
        "pseudonymize",
        json!({"document_id": "D-1", "text": PII_DOC}),
    )
    .await
    .unwrap();
    let vault = p["vault"].clone();
    let enc = task(&r, "encrypt_fields", json!({"document": {"iban": "GB29NWBK60161331926819"}, "fields": ["iban"], "context": {"document_id": "D-1"}})).await.unwrap();
    let mut truncated = enc["document"].clone();
    let ct = truncated["iban"]["ciphertext"].as_str().unwrap().to_owned();
    truncated["iban"]["ciphertext"] = B64.encode(&B64.decode(&ct).unwrap()[..10]).into();
    let mut bad_b64 = enc["document"].clone();
    bad_b64["iban"]["nonce"] = "***not base64***".into();
    let mut wrong_vault_b64 = vault.clone();
    wrong_vault_b64["ciphertext"] = "%%%".into();
    let cases: Vec<(&str, Value, &str)> = vec![
        ("digest", json!({"base64": "not base64!"}), "InvalidInput"),
        (
            "digest",
            json!({"text": "a", "base64": "YQ=="}),
            "InvalidInput",
        ),
        ("digest", json!({}), "InvalidInput"),
        (
            "pseudonymize",
            json!({"document_id": "D-1", "text": ""}),
            "InvalidInput",
        ),
        (
            "pseudonymize",
            json!({"document_id": "", "text": "x"}),
            "InvalidInput",
        ),
        (
            "pseudonymize",
            json!({"document_id": "D-1", "text": "x", "document": {}}),
            "InvalidInput",
        ),
        (
            "pseudonymize",
            json!({"document_id": "D-1", "document": {}, "fields": {"a": "name"}}),
            "InvalidInput",
        ),
        (
            "pseudonymize",
            json!({"document_id": "D-1", "document": {}, "fields": {"a..b": "NAME"}}),
            "InvalidInput",
        ),
        (
            "reidentify",
            json!({"document_id": "D-2", "text": "x", "vault": vault}),
            "DecryptFailed",
        ),
        (
            "reidentify",
            json!({"document_id": "D-1", "text": "x", "vault": wrong_vault_b64}),
            "InvalidInput",
        ),
        (
            "reidentify",
            json!({"document_id": "D-1", "text": "x", "vault": {"v": 1}}),
            "InvalidInput",
        ),
        (
            "decrypt_fields",
            json!({"document": truncated, "key": enc["key"], "context": {"document_id": "D-1"}}),
            "DecryptFailed",
        ),
        (
            "decrypt_fields",
            json!({"document": bad_b64, "key": enc["key"], "context": {"document_id": "D-1"}}),
            "InvalidInput",
        ),
        (
            "decrypt_fields",
            json!({"document": enc["document"], "key": enc["key"], "context": {"document_id": "D-2"}}),
            "DecryptFailed",
        ),
        (
            "decrypt_fields",
            json!({"document": enc["document"], "key": {"provider": "local-not-for-production", "key_id": "local", "wrapped_key": "AAAA"}, "context": {"document_id": "D-1"}}),
            "DecryptFailed",
        ),
        (
            "decrypt_fields",
            json!({"document": enc["document"], "key": enc["key"], "context": {}}),
            "InvalidInput",
        ),
        (
            "encrypt_fields",
            json!({"document": {"a": 1}, "fields": [], "context": {"document_id": "D"}}),
            "InvalidInput",
        ),
        (
            "verify_signature",
            json!({"payload": "x", "signature_header": "t=1,v1=zz"}),
            "InvalidInput",
        ),
        (
            "verify_signature",
            json!({"payload": "x", "signature_header": sign(WEBHOOK.as_bytes(), b"x", 1)}),
            "StaleTimestamp",
        ),
        (
            "verify_signature",
            json!({"payload": "x", "payload_base64": "eA==", "signature_header": "t=1"}),
            "InvalidInput",
        ),
        (
            "verify_signature",
            json!({"payload_base64": "@@", "signature_header": "t=1"}),
            "InvalidInput",
        ),
    ];
    for (name, input, error) in cases {
        let err = task(&r, name, input.clone()).await.unwrap_err();
        assert_eq!(
            err.error_type,
            format!("CryptoPreprocess.{error}"),
            "{name} {input}: {}",
            err.error_message
        );
    }
    // A vault and keys made under another master key (a wrong key).
    let other = app([9; 32]);
    let err = task(
        &other,
        "reidentify",
        json!({"document_id": "D-1", "text": "x", "vault": vault}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_type, "CryptoPreprocess.DecryptFailed");
    let err = task(
        &other,
        "decrypt_fields",
        json!({"document": enc["document"], "key": enc["key"], "context": {"document_id": "D-1"}}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_type, "CryptoPreprocess.DecryptFailed");
}

#[tokio::test]
async fn a_10_mb_document_is_processed_and_a_larger_one_refused() {
    let r = app(MASTER);
    let line = "Order 1842 shipped to a customer, contact ops-team@example.com for questions.\n";
    let text = line.repeat(10 * 1024 * 1024 / line.len());
    let out = task(
        &r,
        "pseudonymize",
        json!({"document_id": "BIG", "text": text}),
    )
    .await;
    // 10 MB in, ~10 MB out: over the Step Functions limit without a payload store.
    assert_eq!(
        out.unwrap_err().error_type,
        "CryptoPreprocess.OutputTooLarge"
    );
    let digest = task(&r, "digest", json!({"text": text})).await.unwrap();
    assert_eq!(digest["bytes"], text.len());
    let huge = "x".repeat(17 * 1024 * 1024);
    let err = task(&r, "digest", json!({"text": huge})).await.unwrap_err();
    assert_eq!(err.error_type, "CryptoPreprocess.InvalidInput");
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn no_personal_data_or_key_material_in_any_log_line() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
        .with_writer(move || writer.clone())
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let r = app(MASTER);
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
            task(&r, "digest", json!({"text": PII_DOC})).await.unwrap();
            task(&r, "verify_signature", json!({"payload": PII_DOC, "signature_header": sign(WEBHOOK.as_bytes(), PII_DOC.as_bytes(), now)})).await.unwrap();
            task(&r, "verify_signature", json!({"payload": PII_DOC, "signature_header": sign(b"wrong", PII_DOC.as_bytes(), now)})).await.unwrap_err();
            let p = task(&r, "pseudonymize", json!({"document_id": "D-1", "document": pii_json(), "fields": {"customer.name": "NAME"}})).await.unwrap();
            task(&r, "reidentify", json!({"document_id": "D-1", "document": p["document"], "vault": p["vault"]})).await.unwrap();
            task(&r, "reidentify", json!({"document_id": "D-9", "document": p["document"], "vault": p["vault"]})).await.unwrap_err();
            let e = task(&r, "encrypt_fields", json!({"document": pii_json(), "fields": ["customer.email", "note"], "context": {"document_id": "D-1"}})).await.unwrap();
            task(&r, "decrypt_fields", json!({"document": e["document"], "key": e["key"], "context": {"document_id": "D-1"}})).await.unwrap();
            task(&r, "decrypt_fields", json!({"document": e["document"], "key": e["key"], "context": {"document_id": "D-2"}})).await.unwrap_err();
            task(&r, "pseudonymize", json!({"document_id": "D-1", "text": PII_DOC, "fields": {"x": "lower"}})).await.unwrap_err();
        });
    });
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.lines().count() >= 10, "every operation logged: {logs}");
    for secret in [
        "Jane",
        "jane.doe",
        "example.com",
        "7946",
        "GB29",
        "NWBK",
        "5500",
        "203.0.113",
        "Baker",
        WEBHOOK,
        TOKEN_KEY,
        &B64.encode(MASTER),
        "wrapped_key",
        "ciphertext",
    ] {
        assert!(
            !logs.contains(secret),
            "{secret:?} appears in the logs:\n{logs}"
        );
    }
}

#[test]
fn committed_openapi_matches_the_code() {
    let (title, version, description) = OPENAPI_INFO;
    let doc = app(MASTER).openapi(title, version, description).unwrap();
    assert!(actionkit::bedrock_openapi_violations(&doc, ACTION_GROUP).is_empty());
    actionkit_testkit::assert_json_snapshot("openapi/crypto-preprocess.json", &doc);
    let tools = app(MASTER).tool_schema().unwrap();
    assert!(actionkit::gateway_tool_schema_violations(&tools).is_empty());
    actionkit_testkit::assert_json_snapshot("openapi/crypto-preprocess.tools.json", &tools);
}
