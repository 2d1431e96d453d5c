//! Function-details agent events and Step Functions task payloads served by
//! the same handlers.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use actionkit::{ActionError, Body, Json, Query, Resolver};
use common::{answer, function_event};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
struct WeatherArgs {
    /// City name, e.g. Oslo.
    city: String,
    /// Days ahead, 0 for today.
    #[serde(default)]
    days: u8,
}

#[derive(Serialize, ToSchema)]
struct Forecast {
    city: String,
    days: u8,
    celsius: f64,
}

async fn weather(Query(a): Query<WeatherArgs>) -> Result<Json<Forecast>, ActionError> {
    match a.city.as_str() {
        "Atlantis" => Err(ActionError::not_found(
            "Unknown city Atlantis; give a real city name.",
        )),
        "Down" => Err(ActionError::unavailable("The forecast service is down.")),
        "Panic" => panic!("forecast cache poisoned for user alice@example.com"),
        _ => Ok(Json(Forecast {
            city: a.city,
            days: a.days,
            celsius: 4.5,
        })),
    }
}

async fn weather_task(Body(a): Body<WeatherArgs>) -> Result<Json<Forecast>, ActionError> {
    weather(Query(a)).await
}

#[derive(Debug, Deserialize, ToSchema)]
struct Sum {
    numbers: Vec<i64>,
}

async fn sum(Body(s): Body<Sum>) -> Result<Json<i64>, ActionError> {
    s.numbers
        .iter()
        .try_fold(0i64, |acc, n| acc.checked_add(*n))
        .map(Json)
        .ok_or_else(|| ActionError::bad_request("The sum overflows a 64-bit integer."))
}

async fn store_down() -> Result<Json<u8>, ActionError> {
    Err(ActionError::new(
        503,
        "StoreUnavailable",
        "The vendor store did not answer; retry.",
    ))
}

async fn dotted() -> Result<Json<u8>, ActionError> {
    Err(ActionError::new(
        400,
        "Custom.Qualified",
        "Already fully named.",
    ))
}

fn resolver() -> Resolver {
    Resolver::new("Weather")
        .function("get_weather", "Weather forecast for a city", weather)
        .function("sum", "Adds numbers", sum)
}

fn function_result(response: &Value) -> (Option<&str>, Value) {
    let f = &response["response"]["functionResponse"];
    let body = serde_json::from_str(f["responseBody"]["TEXT"]["body"].as_str().unwrap()).unwrap();
    (f["responseState"].as_str(), body)
}

#[tokio::test]
async fn function_details_success_uses_the_text_body() {
    let r = resolver();
    let response = answer(
        &r,
        function_event(
            "get_weather",
            &[("city", "string", "Oslo"), ("days", "integer", "2")],
        ),
    )
    .await
    .unwrap();
    assert_eq!(response["response"]["actionGroup"], "Weather");
    assert_eq!(response["response"]["function"], "get_weather");
    assert!(response["response"].get("apiPath").is_none());
    let (state, body) = function_result(&response);
    assert_eq!(state, None, "success has no responseState");
    assert_eq!(body, json!({"city": "Oslo", "days": 2, "celsius": 4.5}));
    let response = answer(
        &r,
        function_event("sum", &[("numbers", "array", "[1, 2, 3]")]),
    )
    .await
    .unwrap();
    assert_eq!(function_result(&response).1, 6);
}

#[tokio::test]
async fn bad_arguments_reprompt_and_failures_fail() {
    let r = resolver();
    let cases = [
        (
            vec![("days", "integer", "2")],
            "REPROMPT",
            "MissingParameter",
        ),
        (
            vec![("city", "string", "Oslo"), ("days", "integer", "tomorrow")],
            "REPROMPT",
            "InvalidParameter",
        ),
        (vec![("city", "string", "Atlantis")], "REPROMPT", "NotFound"),
        (vec![("city", "string", "Down")], "FAILURE", "Unavailable"),
        (vec![("city", "string", "Panic")], "FAILURE", "Internal"),
    ];
    for (params, state, error) in cases {
        let response = answer(&r, function_event("get_weather", &params))
            .await
            .unwrap();
        let (got_state, body) = function_result(&response);
        assert_eq!(got_state, Some(state), "{params:?}");
        assert_eq!(body["error"], error, "{params:?}");
        assert!(!response.to_string().contains("alice@example.com"));
    }
    let response = answer(
        &r,
        function_event("sum", &[("numbers", "array", "[9223372036854775807, 1]")]),
    )
    .await
    .unwrap();
    assert_eq!(function_result(&response).0, Some("REPROMPT"));
}

#[tokio::test]
async fn unknown_function_reprompts_with_the_list() {
    let response = answer(&resolver(), function_event("get_wether", &[]))
        .await
        .unwrap();
    let (state, body) = function_result(&response);
    assert_eq!(state, Some("REPROMPT"));
    assert_eq!(body["error"], "UnknownFunction");
    assert_eq!(body["available_functions"], json!(["get_weather", "sum"]));
}

fn tasks() -> Resolver {
    Resolver::new("Weather")
        .error_prefix("WeatherTask")
        .function("get_weather", "Weather forecast for a city", weather)
        .task("forecast", weather_task)
}

#[tokio::test]
async fn one_task_takes_any_non_agent_payload() {
    let r = tasks();
    let out = answer(&r, json!({"city": "Oslo", "days": 1}))
        .await
        .unwrap();
    assert_eq!(out, json!({"city": "Oslo", "days": 1, "celsius": 4.5}));
    // Real JSON types and strings both decode.
    let out = answer(&r, json!({"city": "Oslo", "days": "3"}))
        .await
        .unwrap();
    assert_eq!(out["days"], 3);
    // The same binary still answers agents.
    let agent = answer(
        &r,
        function_event("get_weather", &[("city", "string", "Oslo")]),
    )
    .await
    .unwrap();
    assert_eq!(agent["response"]["function"], "get_weather");
}

#[tokio::test]
async fn task_errors_have_stable_dotted_names() {
    let r = tasks();
    let cases = [
        (
            json!({"days": 1}),
            "WeatherTask.InvalidInput",
            "Input field `city` is required but was not provided.",
        ),
        (
            json!({"city": "Oslo", "days": 300}),
            "WeatherTask.InvalidInput",
            "Input field `days` must be a smaller whole number.",
        ),
        (
            json!([1, 2]),
            "WeatherTask.InvalidInput",
            "The input must be a JSON object.",
        ),
        (
            json!({"city": "Atlantis"}),
            "WeatherTask.NotFound",
            "Unknown city Atlantis; give a real city name.",
        ),
        (
            json!({"city": "Down"}),
            "WeatherTask.Unavailable",
            "The forecast service is down.",
        ),
        (
            json!({"city": "Panic"}),
            "WeatherTask.Internal",
            "An internal error occurred; the request was not completed.",
        ),
    ];
    for (input, name, message) in cases {
        let err = answer(&r, input.clone()).await.unwrap_err();
        assert_eq!(err.error_type, name, "{input}");
        assert_eq!(err.error_message, message, "{input}");
    }
}

#[tokio::test]
async fn task_error_messages_do_not_quote_input_values() {
    let err = answer(
        &tasks(),
        json!({"city": "Oslo", "days": "alice@example.com"}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_type, "WeatherTask.InvalidInput");
    assert!(
        !err.error_message.contains("alice"),
        "{}",
        err.error_message
    );
}

#[tokio::test]
async fn several_tasks_are_selected_by_envelope() {
    let r = Resolver::new("Ops")
        .error_prefix("Ops")
        .task("forecast", weather_task)
        .task("sum", sum)
        .task("store", store_down)
        .task("dotted", dotted);
    let out = answer(&r, json!({"task": "sum", "input": {"numbers": [1, 2]}}))
        .await
        .unwrap();
    assert_eq!(out, 3);
    let out = answer(&r, json!({"task": "forecast", "input": {"city": "Oslo"}}))
        .await
        .unwrap();
    assert_eq!(out["city"], "Oslo");
    let err = answer(&r, json!({"task": "store", "input": {}}))
        .await
        .unwrap_err();
    assert_eq!(err.error_type, "Ops.StoreUnavailable");
    let err = answer(&r, json!({"task": "dotted", "input": {}}))
        .await
        .unwrap_err();
    assert_eq!(
        err.error_type, "Custom.Qualified",
        "an already dotted name is kept"
    );
    let err = answer(&r, json!({"task": "nope", "input": {}}))
        .await
        .unwrap_err();
    assert_eq!(err.error_type, "Ops.UnknownTask");
    assert!(err.error_message.contains("forecast, sum, store, dotted"));
    let err = answer(&r, json!({"numbers": [1]})).await.unwrap_err();
    assert_eq!(
        err.error_type, "Ops.UnknownTask",
        "several tasks need the envelope"
    );
}

#[tokio::test]
async fn oversized_task_output_is_a_named_error() {
    async fn big() -> Json<String> {
        Json("x".repeat(300_000))
    }
    let r = Resolver::new("Ops").error_prefix("Ops").task("big", big);
    let err = answer(&r, json!({})).await.unwrap_err();
    assert_eq!(err.error_type, "Ops.OutputTooLarge");
}

/// An in-memory payload store standing in for S3.
#[derive(Default)]
struct MemoryStore(std::sync::Mutex<std::collections::HashMap<String, Vec<u8>>>);

impl actionkit::PayloadStore for MemoryStore {
    fn get<'a>(
        &'a self,
        reference: &'a actionkit::PayloadRef,
    ) -> actionkit::StoreFuture<'a, Vec<u8>> {
        Box::pin(async move {
            self.0
                .lock()
                .unwrap()
                .get(&reference.key)
                .cloned()
                .ok_or_else(|| ActionError::not_found("no such payload"))
        })
    }

    fn put<'a>(
        &'a self,
        name: &'a str,
        bytes: Vec<u8>,
    ) -> actionkit::StoreFuture<'a, actionkit::PayloadRef> {
        Box::pin(async move {
            let size = bytes.len();
            self.0.lock().unwrap().insert(format!("p/{name}"), bytes);
            Ok(actionkit::PayloadRef {
                bucket: "b".into(),
                key: format!("p/{name}"),
                bytes: size,
            })
        })
    }
}

#[tokio::test]
async fn large_task_payloads_go_through_the_payload_store() {
    async fn echo(Body(v): Body<Value>) -> Json<Value> {
        Json(v)
    }
    let store = std::sync::Arc::new(MemoryStore::default());
    struct Shared(std::sync::Arc<MemoryStore>);
    impl actionkit::PayloadStore for Shared {
        fn get<'a>(&'a self, r: &'a actionkit::PayloadRef) -> actionkit::StoreFuture<'a, Vec<u8>> {
            self.0.get(r)
        }
        fn put<'a>(
            &'a self,
            n: &'a str,
            b: Vec<u8>,
        ) -> actionkit::StoreFuture<'a, actionkit::PayloadRef> {
            self.0.put(n, b)
        }
    }
    let r = Resolver::new("Ops")
        .error_prefix("Ops")
        .task("echo", echo)
        .payload_store(Shared(store.clone()), 1_000);
    // Small outputs come back inline.
    assert_eq!(answer(&r, json!({"a": 1})).await.unwrap(), json!({"a": 1}));
    // A large output is written to the store and referenced.
    let big = json!({"text": "x".repeat(5_000)});
    let out = answer(&r, big.clone()).await.unwrap();
    let reference = out["payload_ref"].clone();
    assert_eq!(reference["bytes"], big.to_string().len());
    // ... and a referenced input is read back from it.
    let again = answer(&r, json!({"payload_ref": reference})).await.unwrap();
    assert_eq!(
        again["payload_ref"]["bytes"],
        big.to_string().len(),
        "echoed, and offloaded again"
    );
    let stored = store
        .0
        .lock()
        .unwrap()
        .get("p/echo/test-request.json")
        .cloned()
        .unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&stored).unwrap(), big);
    // Bad references are named errors.
    let err = answer(&r, json!({"payload_ref": {"bucket": "b"}}))
        .await
        .unwrap_err();
    assert_eq!(err.error_type, "Ops.InvalidInput");
    let err = answer(
        &r,
        json!({"payload_ref": {"bucket": "b", "key": "p/none", "bytes": 1}}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_type, "Ops.NotFound");
    let plain = Resolver::new("Ops").error_prefix("Ops").task("echo", echo);
    let err = answer(
        &plain,
        json!({"payload_ref": {"bucket": "b", "key": "k", "bytes": 1}}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_type, "Ops.InvalidInput");
}

#[tokio::test]
async fn output_payload_ref_keeps_even_small_outputs_out_of_the_state() {
    async fn echo(Body(v): Body<Value>) -> Json<Value> {
        Json(v)
    }
    async fn other() -> Json<u8> {
        Json(1)
    }
    let r = Resolver::new("Ops")
        .error_prefix("Ops")
        .task("echo", echo)
        .task("other", other)
        .payload_store(MemoryStore::default(), 100_000);
    let small = json!({"name": "Jane Doe"});
    let inline = answer(&r, json!({"task": "echo", "input": small}))
        .await
        .unwrap();
    assert_eq!(inline, small, "without `output`, small outputs stay inline");
    let out = answer(
        &r,
        json!({"task": "echo", "input": small, "output": "payload_ref"}),
    )
    .await
    .unwrap();
    assert_eq!(out["payload_ref"]["bytes"], small.to_string().len());
    assert!(!out.to_string().contains("Jane"), "{out}");
    // Anything else in `output` is refused, by name.
    let err = answer(
        &r,
        json!({"task": "echo", "input": small, "output": "inline"}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_type, "Ops.InvalidInput");
    // Without a store, the request cannot be honoured: a named error, not a leak.
    let plain = Resolver::new("Ops")
        .error_prefix("Ops")
        .task("echo", echo)
        .task("other", other);
    let err = answer(
        &plain,
        json!({"task": "echo", "input": small, "output": "payload_ref"}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_type, "Ops.PayloadStoreMissing");
    assert!(!err.error_message.contains("Jane"));
}
