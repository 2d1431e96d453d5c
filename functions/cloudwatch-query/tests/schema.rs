//! The committed `openapi/cloudwatch-query.json` is what the code generates.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use aws_sdk_cloudwatchlogs::config::{BehaviorVersion, Region};
use cloudwatch_query::{ACTION_GROUP, AppState, Config, resolver};

#[test]
fn committed_openapi_matches_the_code() {
    let client = aws_sdk_cloudwatchlogs::Client::from_conf(
        aws_sdk_cloudwatchlogs::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .build(),
    );
    let config = Config::from_lookup(|_| None).unwrap();
    let r = resolver(Arc::new(AppState { client, config }));
    let doc = r.openapi_document().unwrap();
    assert!(actionkit::bedrock_openapi_violations(&doc, ACTION_GROUP).is_empty());
    let ops: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .map(|op| op["operationId"].as_str().unwrap())
        .collect();
    assert_eq!(
        ops,
        [
            "get_cloudwatch_logs",
            "query_across_log_groups",
            "list_log_groups",
            "get_query_results"
        ]
    );
    // The article's contract: the same three parameters.
    let params = &doc["paths"]["/cloudwatch_logs"]["get"]["parameters"];
    assert_eq!(params[0]["name"], "log_group");
    assert_eq!(params[1]["name"], "query");
    assert_eq!(params[2]["name"], "minutes_back");
    assert_eq!(params[2]["schema"]["default"], 60);
    actionkit_testkit::assert_json_snapshot("openapi/cloudwatch-query.json", &doc);
    let tools = r.tool_schema().unwrap();
    assert!(actionkit::gateway_tool_schema_violations(&tools).is_empty());
    actionkit_testkit::assert_json_snapshot("openapi/cloudwatch-query.tools.json", &tools);
}
