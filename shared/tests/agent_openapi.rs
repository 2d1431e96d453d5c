//! OpenAPI-mode agent events: routing, decoding, errors, session attributes
//! and the response size guard.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::collections::HashMap;

use actionkit::{
    ActionError, Body, ItemList, Json, Path, PromptSessionAttributes, Query, RawEvent, Resolver,
    Response, SessionAttributes, State, TrimToFit,
};
use common::{api, api_event, with_body};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, Serialize, IntoParams, ToSchema)]
struct Everything {
    /// An integer.
    count: i64,
    /// A number.
    ratio: f64,
    /// A boolean.
    flag: bool,
    /// A string that contains commas.
    text: String,
    /// Optional.
    maybe: Option<u16>,
    /// With a default.
    #[serde(default = "seven")]
    #[param(default = 7)]
    seven: u8,
    /// A list.
    tags: Vec<String>,
    /// A list of numbers.
    numbers: Vec<f64>,
}

fn seven() -> u8 {
    7
}

async fn echo(Query(q): Query<Everything>) -> Json<Everything> {
    Json(q)
}

#[derive(Deserialize, IntoParams)]
struct VendorPath {
    /// Vendor id.
    vendor_id: String,
}

#[derive(Deserialize, IntoParams)]
struct Expand {
    /// Include contacts.
    #[serde(default)]
    contacts: bool,
}

#[derive(Serialize, ToSchema)]
struct VendorOut {
    id: String,
    contacts: bool,
}

async fn get_vendor(
    Path(p): Path<VendorPath>,
    Query(e): Query<Expand>,
) -> Result<Json<VendorOut>, ActionError> {
    if p.vendor_id == "V-404" {
        return Err(ActionError::not_found(
            "No vendor V-404; search vendors by name first.",
        ));
    }
    Ok(Json(VendorOut {
        id: p.vendor_id,
        contacts: e.contacts,
    }))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
struct LineItem {
    description: String,
    amount: f64,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
struct Invoice {
    vendor: String,
    items: Vec<LineItem>,
    urgent: Option<bool>,
}

async fn create_invoice(Body(invoice): Body<Invoice>) -> Response<Json<Invoice>> {
    Response::new(Json(invoice)).status(201)
}

async fn boom() -> Json<u8> {
    panic!("secret detail: db password hunter2")
}

async fn failing() -> Result<Json<u8>, ActionError> {
    Err(ActionError::internal(
        "upstream returned 503 for account 1234",
    ))
}

async fn throttled() -> Result<Json<u8>, ActionError> {
    Err(
        ActionError::too_many_requests("Too many concurrent queries; retry in 30 seconds.")
            .with_detail("retry_after_seconds", 30),
    )
}

fn resolver() -> Resolver {
    Resolver::new("LogInsights")
        .get("/echo", "Echo every kind of parameter", echo)
        .get("/vendors/{vendor_id}", "Get a vendor", get_vendor)
        .post("/invoices", "Create an invoice", create_invoice)
        .get("/boom", "Panics", boom)
        .get("/failing", "Fails", failing)
        .delete("/throttled", "Throttled", throttled)
}

const ALL: [(&str, &str, &str); 7] = [
    ("count", "integer", "-42"),
    ("ratio", "number", "0.25"),
    ("flag", "boolean", "true"),
    ("text", "string", "Smith, John, Jr."),
    ("tags", "array", "[red, green]"),
    ("numbers", "array", "[1.5, 2]"),
    ("unknown_extra", "string", "ignored"),
];

#[tokio::test]
async fn coerces_every_declared_type_from_strings() {
    let (status, body, _) = api(&resolver(), api_event("GET", "/echo", &ALL)).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"count": -42, "ratio": 0.25, "flag": true, "text": "Smith, John, Jr.", "maybe": null,
               "seven": 7, "tags": ["red", "green"], "numbers": [1.5, 2.0]})
    );
}

#[tokio::test]
async fn arrays_in_json_form_and_optional_values() {
    let mut params = ALL.to_vec();
    params[4] = ("tags", "array", r#"["a, b", "c"]"#);
    params.push(("maybe", "integer", "65535"));
    params.push(("seven", "integer", "8"));
    let (status, body, _) = api(&resolver(), api_event("GET", "/echo", &params)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tags"], json!(["a, b", "c"]));
    assert_eq!(body["maybe"], 65535);
    assert_eq!(body["seven"], 8);
}

#[tokio::test]
async fn mistyped_values_name_parameter_value_and_type() {
    let cases = [
        ("count", "12abc", "a whole number", "\"12abc\""),
        ("ratio", "one half", "a number", "\"one half\""),
        (
            "flag",
            "yes please",
            "a boolean (true or false)",
            "\"yes please\"",
        ),
        ("maybe", "70000", "a smaller whole number", "\"70000\""),
        ("numbers", "[1, x]", "a number", "\"x\""),
    ];
    for (name, value, expected, received) in cases {
        let mut params: Vec<_> = ALL.iter().copied().filter(|p| p.0 != name).collect();
        params.push((name, "string", value));
        let (status, body, _) = api(&resolver(), api_event("GET", "/echo", &params)).await;
        assert_eq!(status, 400, "{name}");
        assert_eq!(body["error"], "InvalidParameter");
        assert_eq!(body["expected"], expected, "{name}");
        assert_eq!(body["received"], received, "{name}");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("Query parameter `{name}")),
            "{message}"
        );
        assert!(
            message.contains(expected) && message.contains(received),
            "{message}"
        );
    }
}

#[tokio::test]
async fn missing_parameter_is_named() {
    let params: Vec<_> = ALL.iter().copied().filter(|p| p.0 != "text").collect();
    let (status, body, _) = api(&resolver(), api_event("GET", "/echo", &params)).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "MissingParameter");
    assert_eq!(body["parameter"], "text");
    assert_eq!(
        body["message"],
        "Query parameter `text` is required but was not provided."
    );
}

#[tokio::test]
async fn path_templates_route_and_echo_the_template() {
    let r = resolver();
    let (status, body, response) = api(
        &r,
        api_event(
            "GET",
            "/vendors/{vendor_id}",
            &[
                ("vendor_id", "string", "V-1"),
                ("contacts", "boolean", "True"),
            ],
        ),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"id": "V-1", "contacts": true}));
    assert_eq!(response["response"]["apiPath"], "/vendors/{vendor_id}");
    assert_eq!(response["response"]["httpMethod"], "GET");
    assert_eq!(response["response"]["actionGroup"], "LogInsights");
    assert_eq!(response["messageVersion"], "1.0");

    // A concrete path fills the path parameter; the template is echoed.
    let (status, body, response) = api(&r, api_event("get", "/vendors/V-7", &[])).await;
    assert_eq!(status, 200);
    assert_eq!(body["id"], "V-7");
    assert_eq!(response["response"]["apiPath"], "/vendors/{vendor_id}");
    assert_eq!(
        response["response"]["httpMethod"], "get",
        "the method is echoed as sent"
    );
}

#[tokio::test]
async fn handler_errors_keep_their_status_and_message() {
    let r = resolver();
    let (status, body, _) = api(
        &r,
        api_event(
            "GET",
            "/vendors/{vendor_id}",
            &[("vendor_id", "string", "V-404")],
        ),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({"error": "NotFound", "message": "No vendor V-404; search vendors by name first."})
    );
    let (status, body, _) = api(&r, api_event("DELETE", "/throttled", &[])).await;
    assert_eq!(status, 429);
    assert_eq!(body["retry_after_seconds"], 30);
}

#[tokio::test]
async fn unknown_route_lists_the_routes() {
    let (status, body, response) = api(&resolver(), api_event("GET", "/nope", &[])).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"], "UnknownOperation");
    let available: Vec<&str> = body["available_operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        available,
        [
            "GET /echo",
            "GET /vendors/{vendor_id}",
            "POST /invoices",
            "GET /boom",
            "GET /failing",
            "DELETE /throttled"
        ]
    );
    assert!(body["message"].as_str().unwrap().contains("GET /echo"));
    assert_eq!(response["response"]["apiPath"], "/nope");
    // A known path with another method is not found either.
    let (status, _, _) = api(&resolver(), api_event("PUT", "/echo", &[])).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn nested_body_objects_are_decoded_from_strings() {
    let event = with_body(
        api_event("POST", "/invoices", &[]),
        &[
            ("vendor", "string", "Müller GmbH, Berlin"),
            (
                "items",
                "array",
                r#"[{"description":"Laptop","amount":"1299.90"},{"description":"Dock","amount":120}]"#,
            ),
            ("urgent", "boolean", "false"),
        ],
    );
    let (status, body, _) = api(&resolver(), event).await;
    assert_eq!(status, 201);
    assert_eq!(
        body,
        json!({"vendor": "Müller GmbH, Berlin", "items": [{"description": "Laptop", "amount": 1299.9}, {"description": "Dock", "amount": 120.0}], "urgent": false})
    );
    let event = with_body(
        api_event("POST", "/invoices", &[]),
        &[
            ("vendor", "string", "X"),
            (
                "items",
                "array",
                r#"[{"description":"Laptop","amount":"lots"}]"#,
            ),
        ],
    );
    let (status, body, _) = api(&resolver(), event).await;
    assert_eq!(status, 400);
    assert_eq!(body["parameter"], "items[0].amount");
    assert_eq!(body["location"], "body");
    let (status, body, _) = api(&resolver(), api_event("POST", "/invoices", &[])).await;
    assert_eq!(status, 400, "a missing body is a missing property");
    assert_eq!(body["error"], "MissingParameter");
}

#[tokio::test]
async fn panics_and_internal_errors_are_generic_500s() {
    let r = resolver();
    for path in ["/boom", "/failing"] {
        let (status, body, response) = api(&r, api_event("GET", path, &[])).await;
        assert_eq!(status, 500, "{path}");
        assert_eq!(body["error"], "Internal");
        let text = response.to_string();
        assert!(
            !text.contains("hunter2") && !text.contains("1234"),
            "detail leaked: {text}"
        );
    }
}

#[tokio::test]
async fn session_attributes_are_echoed_and_changed_on_request() {
    async fn remember(
        SessionAttributes(session): SessionAttributes,
        PromptSessionAttributes(prompt): PromptSessionAttributes,
    ) -> Response<Json<usize>> {
        Response::new(Json(session.len() + prompt.len()))
            .session_attribute("last_query", "errors")
            .remove_session_attribute("stale")
            .prompt_session_attribute("tone", "brief")
            .knowledge_bases_configuration(json!([{"knowledgeBaseId": "KB12345678", "retrievalConfiguration": {"vectorSearchConfiguration": {"numberOfResults": 3}}}]))
    }
    async fn plain() -> Json<bool> {
        Json(true)
    }
    async fn replace() -> Response<Json<bool>> {
        Response::new(Json(true))
            .session_attributes(HashMap::from([("only".to_owned(), "this".to_owned())]))
    }
    let r = Resolver::new("LogInsights")
        .get("/remember", "Remember", remember)
        .get("/plain", "Plain", plain)
        .get("/replace", "Replace", replace);
    let mut event = api_event("GET", "/plain", &[]);
    event["sessionAttributes"] = json!({"incident": "INC-1", "stale": "x"});
    event["promptSessionAttributes"] = json!({"lang": "en"});
    let (_, _, response) = api(&r, event.clone()).await;
    assert_eq!(
        response["sessionAttributes"],
        json!({"incident": "INC-1", "stale": "x"})
    );
    assert_eq!(response["promptSessionAttributes"], json!({"lang": "en"}));
    assert!(response.get("knowledgeBasesConfiguration").is_none());

    event["apiPath"] = "/remember".into();
    let (_, body, response) = api(&r, event.clone()).await;
    assert_eq!(body, 3);
    assert_eq!(
        response["sessionAttributes"],
        json!({"incident": "INC-1", "last_query": "errors"})
    );
    assert_eq!(
        response["promptSessionAttributes"],
        json!({"lang": "en", "tone": "brief"})
    );
    assert_eq!(
        response["knowledgeBasesConfiguration"][0]["knowledgeBaseId"],
        "KB12345678"
    );

    event["apiPath"] = "/replace".into();
    let (_, _, response) = api(&r, event).await;
    assert_eq!(response["sessionAttributes"], json!({"only": "this"}));
}

#[derive(Serialize, ToSchema)]
struct Blob {
    data: String,
}

#[tokio::test]
async fn oversized_responses_are_refused_or_trimmed_and_labelled() {
    async fn huge() -> Json<Blob> {
        Json(Blob {
            data: "x".repeat(30_000),
        })
    }
    async fn many() -> TrimToFit<ItemList<String>> {
        TrimToFit(ItemList::new(
            (0..2_000)
                .map(|i| format!("row {i:05} {}", "y".repeat(40)))
                .collect(),
        ))
    }
    async fn few() -> TrimToFit<ItemList<String>> {
        TrimToFit(ItemList::new(vec!["a".into(), "b".into()]))
    }
    let r = Resolver::new("LogInsights")
        .get("/huge", "Huge", huge)
        .get("/many", "Many", many)
        .get("/few", "Few", few);

    let (status, body, response) = api(&r, api_event("GET", "/huge", &[])).await;
    assert_eq!(status, 413);
    assert_eq!(body["error"], "ResponseTooLarge");
    assert_eq!(body["limit_bytes"], 25_000);
    assert!(response.to_string().len() <= 25_000);

    let (status, body, response) = api(&r, api_event("GET", "/many", &[])).await;
    assert_eq!(status, 200);
    let size = serde_json::to_string(&response).unwrap().len();
    assert!(size <= 25_000, "{size}");
    assert!(size > 20_000, "trimming keeps as much as fits: {size}");
    assert_eq!(body["truncated"], true);
    assert_eq!(body["total"], 2_000);
    let returned = body["returned"].as_u64().unwrap();
    assert_eq!(returned as usize, body["items"].as_array().unwrap().len());
    assert!(returned > 100 && returned < 2_000);
    assert_eq!(
        body["items"][0].as_str().unwrap().get(..9),
        Some("row 00000"),
        "the first rows are kept"
    );

    let (_, body, _) = api(&r, api_event("GET", "/few", &[])).await;
    assert_eq!(
        body,
        json!({"items": ["a", "b"], "total": 2, "returned": 2, "truncated": false})
    );

    // The limit is configurable.
    let small = Resolver::new("LogInsights")
        .max_response_bytes(2_000)
        .get("/many", "Many", many);
    let (status, body, response) = api(&small, api_event("GET", "/many", &[])).await;
    assert_eq!(status, 200);
    assert!(response.to_string().len() <= 2_000);
    assert_eq!(body["truncated"], true);
}

#[tokio::test]
async fn huge_input_text_and_values_stay_bounded_in_errors() {
    let mut event = api_event(
        "GET",
        "/echo",
        &[("count", "integer", &"9".repeat(100_000))],
    );
    event["inputText"] = Value::String("z".repeat(1_000_000));
    let (status, body, response) = api(&resolver(), event).await;
    assert_eq!(status, 400);
    assert!(
        response.to_string().len() < 2_000,
        "the error quotes a shortened value"
    );
    assert!(
        body["received"]
            .as_str()
            .unwrap()
            .contains("(100000 chars)")
    );
}

#[tokio::test]
async fn state_and_raw_event_reach_handlers() {
    #[derive(Clone)]
    struct Config {
        greeting: &'static str,
    }
    async fn greet(
        State(c): State<Config>,
        RawEvent(raw): RawEvent,
        ctx: actionkit::Context,
    ) -> Json<String> {
        Json(format!(
            "{} {} {}",
            c.greeting,
            raw["sessionId"].as_str().unwrap_or(""),
            ctx.request_id
        ))
    }
    let r = Resolver::with_state("LogInsights", Config { greeting: "hello" })
        .get("/greet", "Greet", greet);
    let (_, body, _) = api(&r, api_event("GET", "/greet", &[])).await;
    assert_eq!(body, "hello 123456789012345 test-request");
}

#[tokio::test]
async fn malformed_agent_events_are_the_only_lambda_errors() {
    let r = resolver();
    for bad in [
        json!({"messageVersion": "1.0", "agent": {}, "actionGroup": "LogInsights"}),
        json!({"messageVersion": "1.0", "actionGroup": "LogInsights", "apiPath": "/echo"}),
        json!({"messageVersion": "1.0", "actionGroup": 7, "apiPath": "/echo", "httpMethod": "GET"}),
        json!({"messageVersion": "1.0", "actionGroup": "g", "apiPath": "/echo", "httpMethod": "GET", "parameters": "count=1"}),
    ] {
        let err = common::answer(&r, bad.clone()).await.unwrap_err();
        assert_eq!(err.error_type, "ActionKit.MalformedEvent", "{bad}");
    }
    // Not an agent event at all, and this resolver serves no tasks.
    let err = common::answer(&r, json!({"hello": "world"}))
        .await
        .unwrap_err();
    assert_eq!(err.error_type, "ActionKit.MalformedEvent");
    assert!(err.error_message.contains("not a Bedrock agent event"));
}
