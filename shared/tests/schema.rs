//! Schema generation: the example's committed snapshot, the Bedrock-profile
//! lowering, and every refusal.

#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "../examples/query_cloudwatch/app.rs"]
#[allow(dead_code)]
mod app;

use actionkit::{
    ActionError, Body, Json, Operation, Path, Query, Resolver, SchemaError,
    bedrock_function_schema_violations, bedrock_openapi_violations,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

fn assert_snapshot(name: &str, actual: &Value) {
    actionkit_testkit::assert_json_snapshot(&format!("shared/tests/snapshots/{name}"), actual);
}

#[test]
fn example_schema_matches_the_committed_snapshot() {
    let r = app::resolver();
    let doc = r
        .openapi(
            "Log Insights",
            "1.0.0",
            "Query CloudWatch Logs Insights for an on-call agent",
        )
        .unwrap();
    assert_snapshot("query_cloudwatch.openapi.json", &doc);
    assert_snapshot(
        "query_cloudwatch.functions.json",
        &r.function_schema().unwrap(),
    );
    assert!(bedrock_openapi_violations(&doc, "LogInsights").is_empty());
    let get = &doc["paths"]["/cloudwatch_logs"]["get"];
    assert_eq!(get["operationId"], "get_cloudwatch_logs");
    assert_eq!(get["parameters"][2]["schema"]["default"], 60);
    assert_eq!(get["parameters"][2]["required"], false);
    assert_eq!(get["parameters"][0]["required"], true);
    assert_eq!(
        get["parameters"][0]["description"],
        "Log group name, e.g. /aws/lambda/api-handler"
    );
}

/// Keys that must never appear in a Bedrock-profile document.
fn find_forbidden(v: &Value, at: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let forbidden = matches!(
                    k.as_str(),
                    "enum" | "const" | "examples" | "$ref" | "prefixItems" | "components"
                ) || (k == "type" && child.is_array())
                    || (k.starts_with("exclusiveM") && !child.is_boolean());
                if forbidden && !at.ends_with("/properties") {
                    out.push(format!("{at}/{k}"));
                }
                find_forbidden(child, &format!("{at}/{k}"), out);
            }
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, c)| find_forbidden(c, &format!("{at}/{i}"), out)),
        _ => {}
    }
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum Category {
    Capex,
    Opex,
    Travel,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
struct Address {
    /// Street and number.
    street: String,
    /// ISO country code.
    country: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
struct Item {
    /// What was bought.
    #[schema(examples("Laptop"))]
    description: String,
    /// Amount in the invoice currency.
    #[schema(exclusive_minimum = 0)]
    amount: f64,
    /// Category, if known.
    category: Option<Category>,
    /// Delivery address.
    address: Option<Address>,
    /// Free-form tags.
    tags: Vec<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[allow(dead_code)]
struct ItemQuery {
    /// Restrict to one category.
    #[param(inline)]
    category: Option<Category>,
    /// Page size.
    #[param(maximum = 100)]
    limit: Option<u32>,
}

async fn list_items(Query(_q): Query<ItemQuery>) -> Json<Vec<Item>> {
    Json(Vec::new())
}

async fn add_item(Body(item): Body<Item>) -> Json<Item> {
    Json(item)
}

#[test]
fn lowering_leaves_no_31_construct_and_no_enum() {
    let r = Resolver::new("Items")
        .get("/items", "List items", list_items)
        .post(
            "/items",
            Operation::new("Add an item")
                .operation_id("addItem")
                .require_confirmation(),
            add_item,
        );
    let doc = r.openapi("Items", "1.0.0", "").unwrap();
    let mut found = Vec::new();
    find_forbidden(&doc, "#", &mut found);
    assert!(
        found.is_empty(),
        "3.1 or unsupported keys: {found:?}\n{doc:#}"
    );
    let post = &doc["paths"]["/items"]["post"];
    assert_eq!(post["operationId"], "addItem");
    assert_eq!(post["x-requireConfirmation"], "ENABLED");
    let item = &post["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(item["required"], json!(["description", "amount", "tags"]));
    let props = &item["properties"];
    assert_eq!(props["description"]["example"], "Laptop");
    assert_eq!(props["amount"]["minimum"], 0);
    assert_eq!(props["amount"]["exclusiveMinimum"], true);
    assert_eq!(props["category"]["nullable"], true);
    assert_eq!(props["category"]["type"], "string");
    assert!(
        props["category"]["description"]
            .as_str()
            .unwrap()
            .contains("Allowed values: capex, opex, travel.")
    );
    assert_eq!(props["address"]["nullable"], true);
    assert_eq!(
        props["address"]["properties"]["country"],
        json!({"type": "string", "description": "ISO country code.", "nullable": true})
    );
    let get = &doc["paths"]["/items"]["get"];
    assert!(
        get["parameters"][0]["schema"]["description"]
            .as_str()
            .unwrap_or_default()
            .contains("Allowed values")
    );
    assert_eq!(
        get["responses"]["200"]["content"]["application/json"]["schema"]["type"],
        "array"
    );
    assert!(doc["info"].get("description").is_none());
}

async fn noop() -> Json<bool> {
    Json(true)
}

#[test]
fn refuses_a_missing_description() {
    let err = Resolver::new("G")
        .get("/x", " ", noop)
        .openapi("t", "1", "")
        .unwrap_err();
    assert_eq!(
        err,
        SchemaError::MissingDescription {
            operation: "GET /x".into()
        }
    );
    let err = Resolver::new("G")
        .function("f", "", noop)
        .function_schema()
        .unwrap_err();
    assert!(
        matches!(err, SchemaError::MissingDescription { .. }),
        "{err}"
    );
}

#[test]
fn refuses_more_than_eleven_operations() {
    let mut r = Resolver::new("G");
    for i in 0..12 {
        r = r.get(&format!("/op{i}"), "An operation", noop);
    }
    let err = r.openapi("t", "1", "").unwrap_err();
    assert_eq!(err, SchemaError::TooManyOperations { count: 12, max: 11 });
    assert_eq!(
        err.to_string(),
        "12 operations; a Bedrock action group holds at most 11"
    );
}

#[test]
fn refuses_tool_names_claude_would_reject() {
    let long = format!("/{}", "very_long_segment_".repeat(3));
    let err = Resolver::new("VendorEnrichment")
        .get(&long, "Long", noop)
        .openapi("t", "1", "")
        .unwrap_err();
    let SchemaError::BadToolName { tool_name, .. } = &err else {
        panic!("{err}")
    };
    assert!(tool_name.starts_with("get__VendorEnrichment__get_very_long"));
    assert!(err.to_string().contains("^[a-zA-Z0-9_-]{1,64}$"));
    let err = Resolver::new("Bad.Group")
        .get("/x", "X", noop)
        .openapi("t", "1", "")
        .unwrap_err();
    assert!(matches!(err, SchemaError::BadToolName { .. }));
    // A shorter operation id fixes it.
    let ok = Resolver::new("VendorEnrichment").get(
        &long,
        Operation::new("Long").operation_id("long"),
        noop,
    );
    assert!(ok.openapi("t", "1", "").is_ok());
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct SixArgs {
    /// a
    a: String,
    /// b
    b: String,
    /// c
    c: String,
    /// d
    d: String,
    /// e
    e: String,
    /// f
    f: String,
}

async fn six(Body(_s): Body<SixArgs>) -> Json<bool> {
    Json(true)
}

#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
struct WithObject {
    /// A nested object.
    address: Address,
}

async fn with_object(Body(_s): Body<WithObject>) -> Json<bool> {
    Json(true)
}

#[derive(Deserialize, Serialize, ToSchema)]
struct Tree {
    /// Children.
    #[schema(no_recursion)]
    children: Vec<Tree>,
}

async fn tree(Body(t): Body<Tree>) -> Json<Tree> {
    Json(t)
}

#[derive(Deserialize, IntoParams)]
#[allow(dead_code)]
struct WrongPath {
    /// Not in the template.
    id: String,
}

async fn wrong_path(Path(_p): Path<WrongPath>) -> Json<bool> {
    Json(true)
}

#[test]
fn refuses_what_function_schemas_cannot_hold() {
    let err = Resolver::new("G")
        .function("six", "Six args", six)
        .function_schema()
        .unwrap_err();
    assert_eq!(
        err,
        SchemaError::TooManyParameters {
            operation: "six".into(),
            count: 6,
            max: 5
        }
    );
    let err = Resolver::new("G")
        .function("obj", "Object arg", with_object)
        .function_schema()
        .unwrap_err();
    let SchemaError::UnsupportedType { location, what, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(location, "parameter `address`");
    assert!(what.starts_with("type object"));
    let err = Resolver::new("G")
        .function("bad name!", "Bad", noop)
        .function_schema()
        .unwrap_err();
    assert!(matches!(err, SchemaError::BadName { .. }), "{err}");
    let err = Resolver::new("G")
        .function("f", "x".repeat(1201), noop)
        .function_schema()
        .unwrap_err();
    assert!(
        matches!(
            err,
            SchemaError::DescriptionTooLong {
                len: 1201,
                max: 1200,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn refuses_recursive_types_and_path_mismatches() {
    let err = Resolver::new("G")
        .post("/tree", "Tree", tree)
        .openapi("t", "1", "")
        .unwrap_err();
    assert!(
        err.to_string().contains("the recursive type `Tree`"),
        "{err}"
    );
    let err = Resolver::new("G")
        .get("/things/{thing_id}", "Thing", wrong_path)
        .openapi("t", "1", "")
        .unwrap_err();
    assert!(matches!(err, SchemaError::PathMismatch { .. }), "{err}");
    let err = Resolver::new("G")
        .get("/things/{thing_id}", "Thing", noop)
        .openapi("t", "1", "")
        .unwrap_err();
    assert!(matches!(err, SchemaError::PathMismatch { .. }), "{err}");
}

#[test]
fn object_query_parameters_are_refused() {
    #[derive(Deserialize, IntoParams)]
    #[allow(dead_code)]
    struct Q {
        /// An object in a query string.
        #[param(inline)]
        address: Address,
    }
    async fn h(Query(_q): Query<Q>) -> Json<bool> {
        Json(true)
    }
    let err = Resolver::new("G")
        .get("/q", "Q", h)
        .openapi("t", "1", "")
        .unwrap_err();
    let SchemaError::UnsupportedType { location, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(location, "parameter `address`");
}

#[test]
fn profile_checks_catch_hand_written_documents() {
    let doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "x": {"get": {"operationId": "a", "responses": {}}},
            "/y": {"post": {"description": "d", "operationId": "a", "responses": {"200": {"description": "ok",
                "content": {"application/json": {"schema": {"type": "string", "enum": ["a"]}}}}}}}
        }
    });
    let errors: Vec<String> = bedrock_openapi_violations(&doc, "G")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(errors.len(), 5, "{errors:#?}");
    assert!(errors.iter().any(|e| e.contains("version \"3.1.0\"")));
    assert!(
        errors
            .iter()
            .any(|e| e.contains("paths must start with '/'"))
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("GET x: a description is required"))
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("operationIds must be unique"))
    );
    assert!(errors.iter().any(|e| e.contains("`enum`")));
    let functions = json!({"functions": [{"name": "f", "description": "d", "parameters": {"p": {"type": "object", "description": "x", "required": true}}}]});
    assert_eq!(bedrock_function_schema_violations(&functions).len(), 1);
}

#[test]
fn handler_errors_do_not_change_the_schema() {
    async fn fallible(Query(_q): Query<ItemQuery>) -> Result<Json<Vec<Item>>, ActionError> {
        Ok(Json(Vec::new()))
    }
    let a = Resolver::new("G")
        .get("/items", "List items", list_items)
        .openapi("t", "1", "")
        .unwrap();
    let b = Resolver::new("G")
        .get("/items", "List items", fallible)
        .openapi("t", "1", "")
        .unwrap();
    assert_eq!(a, b);
}
