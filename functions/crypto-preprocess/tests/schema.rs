//! The committed schemas are what the code generates: the OpenAPI document
//! the agent's action group reads and the Gateway tool schema.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use actionkit_testkit::assert_json_snapshot;
use crypto_preprocess::{ACTION_GROUP, AppState, KeyProvider, SecretSource, resolver};

#[test]
fn committed_openapi_matches_the_code() {
    let app = resolver(Arc::new(AppState {
        keys: KeyProvider::Local { master: [7; 32] },
        webhook_secret: SecretSource::Missing("-"),
        token_key: SecretSource::Missing("-"),
    }));
    let doc = app.openapi_document().unwrap();
    assert!(actionkit::bedrock_openapi_violations(&doc, ACTION_GROUP).is_empty());
    assert_json_snapshot("openapi/crypto-preprocess.json", &doc);
    let tools = app.tool_schema().unwrap();
    assert!(actionkit::gateway_tool_schema_violations(&tools).is_empty());
    assert_json_snapshot("openapi/crypto-preprocess.tools.json", &tools);
}
