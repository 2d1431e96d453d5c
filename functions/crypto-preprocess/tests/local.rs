//! Every operation with the local key provider: round trips, tampering,
//! the bad inputs, the log output, and the committed OpenAPI document.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use actionkit::Resolver;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use crypto_preprocess::{ACTION_GROUP, AppState, KeyProvider, SecretSource, resolver, sign};
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

#[test]
fn no_personal_data_or_key_material_in_any_log_line() {
    let captured = actionkit_testkit::CapturedLogs::default();
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
    let logs = captured.text();
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

/// The RFC 8785 examples as JSON text: §3.2.2 (with its canonical form),
/// §3.2.3's sorting example, Appendix B's numbers, and issue 12's case.
const RFC8785_EXAMPLES: &[(&str, Option<&str>)] = &[
    (
        r#"{
            "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
            "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
            "literals": [null, true, false]
        }"#,
        Some(
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#,
        ),
    ),
    (
        r#"{"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
            "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"}"#,
        None,
    ),
    (
        "[0, -0, 5e-324, -5e-324, 1.7976931348623157e308, 9007199254740992, 9007199254740994, 1e21, \
         9.999999999999997e22, 1e23, 295147905179352830000, 0.000001, 1e-7, 333333333.3333332, -1e-7, 4.35, 0.002]",
        Some(
            "[0,0,5e-324,-5e-324,1.7976931348623157e+308,9007199254740992,9007199254740994,1e+21,\
             9.999999999999997e+22,1e+23,295147905179352830000,0.000001,1e-7,333333333.3333332,-1e-7,4.35,0.002]",
        ),
    ),
    (
        r#"{"b":2,"a":[1.0,1e21]}"#,
        Some(r#"{"a":[1,1e+21],"b":2}"#),
    ),
];

fn agent_digest_event(json_text: &str) -> Value {
    let event = actionkit_testkit::agent_api_event(ACTION_GROUP, "POST", "/digest", &[]);
    actionkit_testkit::with_body(event, &[("json", "object", json_text)])
}

/// (HTTP status, body) of an agent call.
async fn agent(r: &Resolver<Arc<AppState>>, event: Value) -> (u64, Value) {
    let raw = r
        .handle(event, actionkit::Context::default())
        .await
        .unwrap();
    let response: Value = serde_json::from_str(raw.get()).unwrap();
    let body = response["response"]["responseBody"]["application/json"]["body"]
        .as_str()
        .unwrap();
    (
        response["response"]["httpStatusCode"].as_u64().unwrap(),
        serde_json::from_str(body).unwrap(),
    )
}

/// The answer of an AgentCore Gateway tool call (`<target>___<tool>`).
async fn gateway(r: &Resolver<Arc<AppState>>, tool: &str, arguments: &str) -> Value {
    let mut context = actionkit::Context::default();
    // lambda_runtime does not export the type; it is what the runtime decodes.
    context.client_context = Some(
        serde_json::from_value(
            json!({"custom": {"bedrockAgentCoreToolName": format!("crypto___{tool}")}}),
        )
        .unwrap(),
    );
    let raw = r.handle_json(arguments, context).await.unwrap();
    serde_json::from_str(raw.get()).unwrap()
}

#[tokio::test]
async fn the_same_document_has_the_same_digest_through_every_caller() {
    let r = app(MASTER);
    for (text, canonical) in RFC8785_EXAMPLES {
        let document: Value = serde_json::from_str(text).unwrap();
        let expected = match canonical {
            Some(c) => crypto_preprocess::sha256_hex(c.as_bytes()),
            None => crypto_preprocess::sha256_hex(
                crypto_preprocess::canonicalize(&document)
                    .unwrap()
                    .as_bytes(),
            ),
        };
        let (status, by_agent) = agent(&r, agent_digest_event(text)).await;
        assert_eq!(status, 200, "{by_agent}");
        let by_tool = gateway(&r, "digest", &json!({"json": document}).to_string()).await;
        let by_tool_text = gateway(&r, "digest", &json!({"json": text}).to_string()).await;
        let by_task = task(&r, "digest", json!({"json": document})).await.unwrap();
        let by_task_text = task(&r, "digest", json!({"json": text})).await.unwrap();
        for (caller, out) in [
            ("agent", &by_agent),
            ("gateway", &by_tool),
            ("gateway, as text", &by_tool_text),
            ("task", &by_task),
            ("task, as text", &by_task_text),
        ] {
            assert_eq!(out["sha256"], expected, "{caller}: {text}");
            assert_eq!(out["canonicalization"], "RFC8785", "{caller}");
        }
    }
}

#[tokio::test]
async fn duplicate_keys_are_refused_through_every_caller() {
    let r = app(MASTER);
    for text in [
        r#"{"a":1,"a":2}"#,
        r#"{"b":2,"a":[1.0,1e21],"b":3}"#,
        r#"{"x":{"k":null,"\u006b":true}}"#,
    ] {
        let (status, body) = agent(&r, agent_digest_event(text)).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.to_string().contains("DuplicateKey"), "{body}");
        let tool = gateway(&r, "digest", &json!({"json": text}).to_string()).await;
        assert_eq!(tool["isError"], true, "{tool}");
        assert!(tool.to_string().contains("DuplicateKey"), "{tool}");
        let err = task(&r, "digest", json!({"json": text})).await.unwrap_err();
        assert_eq!(err.error_type, "CryptoPreprocess.DuplicateKey");
    }
    // Structured JSON: the text as received is checked, not the parsed value
    // (in which the last value has already won).
    for input in [
        r#"{"task":"digest","input":{"json":{"a":1,"a":2}}}"#,
        r#"{"task":"digest","input":{"json":{"b":{"x":[1,{"k":1,"k":2}]}}}}"#,
    ] {
        let err = r
            .handle_json(input, actionkit::Context::default())
            .await
            .unwrap_err();
        assert_eq!(err.error_type, "CryptoPreprocess.DuplicateKey", "{input}");
    }
    let tool = gateway(&r, "digest", r#"{"json":{"a":1,"a":2}}"#).await;
    assert_eq!(tool["isError"], true, "{tool}");
    assert!(tool.to_string().contains("DuplicateKey"), "{tool}");
    // A string that is not JSON is bad input, named as such.
    let err = task(&r, "digest", json!({"json": "{not json"}))
        .await
        .unwrap_err();
    assert_eq!(err.error_type, "CryptoPreprocess.InvalidInput");
}
