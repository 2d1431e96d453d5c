//! The committed schemas are what the code generates: the OpenAPI document
//! the agent's action group reads and the Gateway tool schema.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

// The user's drift check: paths relative to this crate's directory.
use actionkit::testing::assert_json_snapshot;
use vendor_enrichment::{ACTION_GROUP, AnyStore, AppState, EmbeddedStore, Rules, resolver};

#[test]
fn committed_openapi_matches_the_code() {
    let rules = Rules::embedded().unwrap();
    let store = AnyStore::Embedded(EmbeddedStore::embedded(&rules).unwrap());
    let app = resolver(Arc::new(AppState { store, rules }));
    let doc = app.openapi_document().unwrap();
    assert!(actionkit::bedrock_openapi_violations(&doc, ACTION_GROUP).is_empty());
    assert_json_snapshot("../../openapi/vendor-enrichment.json", &doc);
    let tools = app.tool_schema().unwrap();
    assert!(actionkit::gateway_tool_schema_violations(&tools).is_empty());
    assert_json_snapshot("../../openapi/vendor-enrichment.tools.json", &tools);
}
