//! `#[model]` and `#[action]`: each fact declared once reaches every
//! schema and the decoder; enums work anywhere; every status a route
//! answers is in its schema; one registration exposes a handler as route,
//! function, task and tool.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use actionkit::testing::{
    agent_api_event, agent_function_event, context, gateway_tool_call, task_event, with_body,
};
use actionkit::utoipa::PartialSchema;
use actionkit::{
    Action, ActionError, Body, Json, Method, Operation, Path, Query, Resolver, Response, action,
    model,
};
use proptest::prelude::*;
use serde_json::{Value, json};

/// How bad it is.
#[model]
#[derive(Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Severity {
    Low,
    VeryHigh,
    #[serde(rename = "sev-0")]
    Critical,
}

/// Every keyword, once each.
#[model]
#[derive(Debug)]
struct Everything {
    /// A bounded count.
    #[field(minimum = 1, maximum = 10, example = 3)]
    count: i32,
    /// Strictly between 0 and 1.
    #[field(exclusive_minimum = 0, exclusive_maximum = 1.0)]
    ratio: f64,
    #[field(
        min_length = 2,
        max_length = 8,
        pattern = "^[a-z]+$",
        description = "A short word."
    )]
    word: String,
    /// Between one and three labels of at most five characters.
    #[field(min_items = 1, max_items = 3, max_length = 5)]
    labels: Vec<String>,
    /// One of three colours.
    #[field(allowed = ["red", "green", "blue"], default = "green")]
    colour: String,
    /// The default of its type.
    #[field(default)]
    flag: bool,
    /// Optional, bounded when present.
    #[field(maximum = 5)]
    maybe: Option<u8>,
    /// An enum, as is.
    severity: Severity,
    /// Optional enum.
    level: Option<Severity>,
    /// Enums in a list.
    levels: Vec<Severity>,
    #[serde(skip)]
    internal: u8,
}

fn schema_of<T: PartialSchema>() -> Value {
    serde_json::to_value(T::schema()).unwrap()
}

#[test]
fn every_keyword_is_in_the_utoipa_schema_objects() {
    let s = schema_of::<Everything>();
    let p = &s["properties"];
    assert_eq!(s["description"], "Every keyword, once each.");
    assert_eq!(p["count"]["minimum"], 1);
    assert_eq!(p["count"]["maximum"], 10);
    assert_eq!(p["count"]["examples"], json!([3]));
    assert_eq!(p["count"]["description"], "A bounded count.");
    assert_eq!(p["ratio"]["exclusiveMinimum"], 0);
    assert_eq!(p["ratio"]["exclusiveMaximum"], 1.0);
    assert_eq!(p["word"]["minLength"], 2);
    assert_eq!(p["word"]["maxLength"], 8);
    assert_eq!(p["word"]["pattern"], "^[a-z]+$");
    assert_eq!(p["word"]["description"], "A short word.");
    assert_eq!(p["labels"]["minItems"], 1);
    assert_eq!(p["labels"]["maxItems"], 3);
    assert_eq!(
        p["labels"]["items"]["maxLength"], 5,
        "value keywords apply to items"
    );
    assert_eq!(p["colour"]["enum"], json!(["red", "green", "blue"]));
    assert_eq!(p["colour"]["default"], "green");
    assert_eq!(p["flag"]["default"], false);
    assert_eq!(p["maybe"]["maximum"], 5);
    assert_eq!(p["maybe"]["type"], json!(["integer", "null"]));
    assert_eq!(p["severity"]["enum"], json!(["LOW", "VERY_HIGH", "sev-0"]));
    assert_eq!(
        p["level"]["enum"],
        json!(["LOW", "VERY_HIGH", "sev-0", null])
    );
    assert_eq!(
        p["levels"]["items"]["enum"],
        json!(["LOW", "VERY_HIGH", "sev-0"])
    );
    assert!(
        p.get("internal").is_none(),
        "skipped fields are not documented"
    );
    assert_eq!(
        s["required"],
        json!(["count", "ratio", "word", "labels", "severity", "levels"])
    );
}

#[test]
fn defaults_decode_as_the_schema_says() {
    let decoded: Everything = actionkit::from_value(&json!({
        "count": "3", "ratio": "0.5", "word": "abc", "labels": ["a"], "severity": "LOW", "levels": []
    }))
    .unwrap();
    let schema = schema_of::<Everything>();
    assert_eq!(
        json!(decoded.colour),
        schema["properties"]["colour"]["default"]
    );
    assert_eq!(json!(decoded.flag), schema["properties"]["flag"]["default"]);
    assert_eq!(decoded.maybe, None);
    assert_eq!(decoded.internal, 0);
    assert_eq!(decoded.severity, Severity::Low);
}

async fn everything(Body(e): Body<Everything>) -> Json<String> {
    Json(format!("{} {:?}", e.count, e.level))
}

async fn by_query(Query(e): Query<Everything>) -> Json<String> {
    Json(format!("{:?} {:?}", e.severity, e.levels))
}

/// Function-details functions take at most five parameters.
#[model]
struct Small {
    /// One of three colours.
    #[field(allowed = ["red", "green", "blue"], default = "green")]
    colour: String,
    /// An enum, as is.
    severity: Severity,
    /// Enums in a list.
    levels: Vec<Severity>,
}

async fn small(Body(s): Body<Small>) -> Json<String> {
    Json(format!("{} {:?} {:?}", s.colour, s.severity, s.levels))
}

fn resolver() -> Resolver {
    Resolver::new("Models")
        .post("/everything", "Takes every keyword", everything)
        .get("/everything", "Takes every keyword as parameters", by_query)
        .function("small", "Takes an enum and allowed values", small)
}

#[test]
fn enums_and_keywords_pass_every_schema_generator() {
    let r = resolver();
    let doc = r.openapi_document().unwrap();
    assert!(actionkit::bedrock_openapi_violations(&doc, "Models").is_empty());
    let params = doc["paths"]["/everything"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let severity = params.iter().find(|p| p["name"] == "severity").unwrap();
    assert_eq!(severity["required"], true);
    assert_eq!(severity["description"], "An enum, as is.");
    assert_eq!(
        severity["schema"]["description"],
        "How bad it is. Allowed values: LOW, VERY_HIGH, sev-0."
    );
    let level = params.iter().find(|p| p["name"] == "level").unwrap();
    assert_eq!(level["required"], false);
    assert_eq!(level["schema"]["nullable"], true);
    let body = &doc["paths"]["/everything"]["post"]["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(body["properties"]["ratio"]["exclusiveMinimum"], true);
    assert_eq!(body["properties"]["ratio"]["minimum"], 0);

    let functions = r.function_schema().unwrap();
    let params = &functions["functions"][0]["parameters"];
    assert_eq!(
        params["colour"]["description"],
        "One of three colours. Allowed values: red, green, blue. Default: green."
    );
    assert!(
        params["severity"]["description"]
            .as_str()
            .unwrap()
            .contains("LOW, VERY_HIGH, sev-0")
    );

    let tools = r.tool_schema().unwrap();
    assert!(actionkit::gateway_tool_schema_violations(&tools).is_empty());
    let input = &tools[0]["inputSchema"]["properties"];
    assert!(
        input["count"]["description"]
            .as_str()
            .unwrap()
            .contains("Maximum: 10.")
    );
}

async fn answer<S: Clone + Send + Sync + 'static>(r: &Resolver<S>, event: Value) -> Value {
    let raw = r.handle(event, context()).await.unwrap();
    serde_json::from_str(raw.get()).unwrap()
}

fn api_body(response: &Value) -> (u64, Value) {
    let status = response["response"]["httpStatusCode"].as_u64().unwrap();
    let body = response["response"]["responseBody"]["application/json"]["body"]
        .as_str()
        .unwrap();
    (status, serde_json::from_str(body).unwrap())
}

fn post(props: &[(&str, &str, &str)]) -> Value {
    with_body(agent_api_event("Models", "POST", "/everything", &[]), props)
}

const VALID: [(&str, &str, &str); 5] = [
    ("count", "integer", "3"),
    ("ratio", "number", "0.5"),
    ("word", "string", "abc"),
    ("labels", "array", "[\"a\"]"),
    ("severity", "string", "VERY_HIGH"),
];

fn with(name: &str, value: &str) -> Vec<(String, String, String)> {
    let mut props: Vec<(String, String, String)> = VALID
        .iter()
        .map(|(n, t, v)| ((*n).to_owned(), (*t).to_owned(), (*v).to_owned()))
        .collect();
    props.push(("levels".into(), "array".into(), "[]".into()));
    match props.iter_mut().find(|(n, _, _)| n == name) {
        Some(p) => p.2 = value.to_owned(),
        None => props.push((name.to_owned(), "string".to_owned(), value.to_owned())),
    }
    props
}

async fn post_with(r: &Resolver, name: &str, value: &str) -> (u64, Value) {
    let props = with(name, value);
    let props: Vec<(&str, &str, &str)> = props
        .iter()
        .map(|(n, t, v)| (n.as_str(), t.as_str(), v.as_str()))
        .collect();
    api_body(&answer(r, post(&props)).await)
}

#[tokio::test]
async fn every_declared_keyword_is_enforced_through_the_resolver() {
    let r = resolver();
    assert_eq!(post_with(&r, "count", "3").await.0, 200);
    for (name, bad) in [
        ("count", "0"),
        ("count", "11"),
        ("ratio", "0"),
        ("ratio", "1"),
        ("word", "a"),
        ("word", "abcdefghi"),
        ("word", "ABC"),
        ("labels", "[]"),
        ("labels", "[\"a\",\"b\",\"c\",\"d\"]"),
        ("labels", "[\"toolong\"]"),
        ("colour", "purple"),
        ("maybe", "6"),
        ("severity", "High"),
        ("levels", "[\"LOW\",\"nope\"]"),
        ("level", "sev-1"),
    ] {
        let (status, body) = post_with(&r, name, bad).await;
        assert_eq!(status, 400, "{name}={bad} passed: {body}");
        assert!(
            body["parameter"].as_str().unwrap_or("").starts_with(name),
            "{name}={bad}: {body}"
        );
    }
    let (status, body) = post_with(&r, "level", "sev-0").await;
    assert_eq!((status, body), (200, json!("3 Some(Critical)")));
}

#[tokio::test]
async fn an_enum_works_in_a_query_and_in_function_details_without_attributes() {
    let r = resolver();
    let params: Vec<(&str, &str, &str)> = VALID
        .iter()
        .copied()
        .chain([("levels", "array", "[\"LOW\",\"sev-0\"]")])
        .collect();
    let (status, body) =
        api_body(&answer(&r, agent_api_event("Models", "GET", "/everything", &params)).await);
    assert_eq!((status, body), (200, json!("VeryHigh [Low, Critical]")));
    let params = [
        ("severity", "string", "sev-0"),
        ("levels", "array", "[\"LOW\"]"),
    ];
    let response = answer(&r, agent_function_event("Models", "small", &params)).await;
    let body = &response["response"]["functionResponse"]["responseBody"]["TEXT"]["body"];
    assert_eq!(body, "\"green Critical [Low]\"", "{response}");
    let params = [
        ("severity", "string", "LOW"),
        ("levels", "array", "[\"HIGH\"]"),
    ];
    let response = answer(&r, agent_function_event("Models", "small", &params)).await;
    let state = &response["response"]["functionResponse"]["responseState"];
    assert_eq!(state, "REPROMPT", "{response}");
}

/// A model whose names follow each of serde's rules.
macro_rules! renamed {
    ($($rule:literal => $name:ident / $enum:ident,)*) => {$(
        #[model]
        #[serde(rename_all = $rule)]
        struct $name {
            ticket_id: u8,
            created_at_utc: u8,
            x: u8,
            r#type: u8,
            #[serde(rename = "Kept-As-Is")]
            kept: u8,
        }

        #[model]
        #[serde(rename_all = $rule)]
        enum $enum {
            InProgress,
            A,
            HttpError,
            #[serde(rename = "kept")]
            Kept,
        }
    )*
        fn rename_cases() -> Vec<(&'static str, Value, Value, Value, Value)> {
            vec![$((
                $rule,
                schema_of::<$name>()["properties"].clone(),
                serde_json::to_value($name { ticket_id: 0, created_at_utc: 0, x: 0, r#type: 0, kept: 0 }).unwrap(),
                schema_of::<$enum>()["enum"].clone(),
                json!([$enum::InProgress, $enum::A, $enum::HttpError, $enum::Kept]),
            )),*]
        }
    };
}

renamed! {
    "lowercase" => Lower / LowerE,
    "UPPERCASE" => Upper / UpperE,
    "PascalCase" => Pascal / PascalE,
    "camelCase" => Camel / CamelE,
    "snake_case" => Snake / SnakeE,
    "SCREAMING_SNAKE_CASE" => Screaming / ScreamingE,
    "kebab-case" => Kebab / KebabE,
    "SCREAMING-KEBAB-CASE" => ScreamingKebab / ScreamingKebabE,
}

#[test]
fn the_schema_names_fields_and_variants_exactly_as_serde_does() {
    for (rule, properties, serialized, variants, serialized_variants) in rename_cases() {
        let documented: Vec<&String> = properties.as_object().unwrap().keys().collect();
        let written: Vec<&String> = serialized.as_object().unwrap().keys().collect();
        assert_eq!(documented, written, "{rule}");
        assert_eq!(variants, serialized_variants, "{rule}");
    }
}

/// First paragraph,
/// still the first.
///
/// Second paragraph.
#[model]
struct Documented {
    ///   Indented   line
    /// and its continuation.
    field: String,
}

#[test]
fn doc_comments_become_descriptions_paragraph_by_paragraph() {
    let s = schema_of::<Documented>();
    assert_eq!(
        s["description"],
        "First paragraph, still the first.\n\nSecond paragraph."
    );
    assert_eq!(
        s["properties"]["field"]["description"],
        "Indented   line and its continuation."
    );
}

#[model]
struct Id {
    /// The thing's id.
    id: String,
}

async fn create(Path(p): Path<Id>) -> Result<Json<String>, ActionError> {
    match p.id.as_str() {
        "missing" => Err(ActionError::not_found("No such thing.")),
        id => Ok(Json(id.to_owned())),
    }
}

async fn accept(Path(p): Path<Id>) -> Response<Json<String>> {
    Response::new(Json(p.id)).status(202)
}

#[tokio::test]
async fn a_declared_status_is_documented_and_answered() {
    let r = Resolver::new("Things")
        .post(
            "/things/{id}",
            Operation::new("Creates a thing")
                .status(201)
                .error_status(404),
            create,
        )
        .put(
            "/things/{id}",
            Operation::new("Accepts a thing").status(201),
            accept,
        );
    let doc = r.openapi_document().unwrap();
    let responses = &doc["paths"]["/things/{id}"]["post"]["responses"];
    let statuses: Vec<&String> = responses.as_object().unwrap().keys().collect();
    assert_eq!(statuses, ["201", "400", "404", "500"]);
    assert!(responses["201"]["content"]["application/json"]["schema"].is_object());
    assert_eq!(
        responses["404"]["description"],
        "Not found; the message says what"
    );

    let event =
        |method, id| agent_api_event("Things", method, "/things/{id}", &[("id", "string", id)]);
    assert_eq!(api_body(&answer(&r, event("POST", "t-1")).await).0, 201);
    assert_eq!(api_body(&answer(&r, event("POST", "missing")).await).0, 404);
    // A status the handler sets itself wins over the declared one.
    assert_eq!(api_body(&answer(&r, event("PUT", "t-1")).await).0, 202);
}

/// Archives a thing.
///
/// Archived things stay readable.
#[action(DELETE "/things/{id}", function = "archive_thing", task = "Archive", status = 204, errors = [404], operation_id = "archive", confirm)]
async fn archive(Path(p): Path<Id>) -> Result<Json<String>, ActionError> {
    create(Path(p)).await
}

/// Reads a thing.
#[action(GET "/things/{id}", tool_name = "read-thing")]
async fn read(Path(p): Path<Id>) -> Json<String> {
    Json(p.id)
}

#[tokio::test]
async fn one_registration_is_a_route_a_function_a_task_and_tools() {
    let r = Resolver::new("Things").register((archive, read));
    let doc = r.openapi_document().unwrap();
    let op = &doc["paths"]["/things/{id}"]["delete"];
    assert_eq!(
        op["description"],
        "Archives a thing.\n\nArchived things stay readable."
    );
    assert_eq!(op["operationId"], "archive");
    assert_eq!(op["x-requireConfirmation"], "ENABLED");
    let statuses: Vec<&String> = op["responses"].as_object().unwrap().keys().collect();
    assert_eq!(statuses, ["204", "400", "404", "500"]);
    let function = &r.function_schema().unwrap()["functions"][0];
    assert_eq!(function["name"], "archive_thing");
    assert_eq!(function["description"], op["description"]);
    assert_eq!(function["requireConfirmation"], "ENABLED");
    let tools = r.tool_schema().unwrap();
    let names: Vec<&str> = tools
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["archive", "archive_thing", "read-thing"]);

    let route = agent_api_event(
        "Things",
        "DELETE",
        "/things/{id}",
        &[("id", "string", "t-1")],
    );
    assert_eq!(api_body(&answer(&r, route).await), (204, json!("t-1")));
    let function = agent_function_event("Things", "archive_thing", &[("id", "string", "t-1")]);
    assert!(answer(&r, function).await["response"]["functionResponse"]["responseState"].is_null());
    let task = r
        .handle(task_event("Archive", json!({"id": "missing"})), context())
        .await;
    assert_eq!(task.unwrap_err().error_type, "ActionKit.NotFound");
    let (call, ctx) = gateway_tool_call("read-thing", json!({"id": "t-2"}));
    let raw = r.handle(call, ctx).await.unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(raw.get()).unwrap(),
        json!("t-2")
    );
}

#[tokio::test]
async fn a_plain_handler_is_registered_everywhere_through_action() {
    let r = Resolver::new("Things").register(
        Action::new("create", create)
            .description("Creates a thing")
            .route(Method::Post, "/things/{id}")
            .function("create_thing")
            .task("Create")
            .status(201),
    );
    let route = agent_api_event("Things", "POST", "/things/{id}", &[("id", "string", "t-1")]);
    assert_eq!(api_body(&answer(&r, route).await).0, 201);
    assert_eq!(
        r.function_schema().unwrap()["functions"][0]["description"],
        "Creates a thing"
    );
    let output = r.handle(json!({"id": "t-3"}), context()).await.unwrap();
    assert_eq!(output.get(), "\"t-3\"");
}

#[test]
#[should_panic(expected = "action nowhere is exposed nowhere")]
fn an_action_exposed_nowhere_is_refused_at_registration() {
    let _ = Resolver::new("Things").register(Action::new("nowhere", read_plain));
}

async fn read_plain(Path(p): Path<Id>) -> Json<String> {
    Json(p.id)
}

/// Bounded numbers and strings, for the generated cases.
#[model]
struct Bounded {
    /// Between -5 and 5.
    #[field(minimum = -5, maximum = 5)]
    n: i64,
    /// Three to six characters.
    #[field(min_length = 3, max_length = 6)]
    s: String,
}

async fn bounded(Body(b): Body<Bounded>) -> Json<String> {
    Json(format!("{} {}", b.n, b.s))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the agent sends, the handler sees only declared values, in
    /// the function-details mode as in the OpenAPI one.
    #[test]
    fn declared_bounds_hold_for_generated_inputs(n in -50i64..50, s in "\\PC{0,10}") {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let r = Resolver::new("Bounds")
            .post("/bounded", "Bounded input", bounded)
            .function("bounded", "Bounded input", bounded);
        let valid = (-5..=5).contains(&n) && (3..=6).contains(&s.chars().count());
        let n_text = n.to_string();
        let props = [("n", "integer", n_text.as_str()), ("s", "string", s.as_str())];
        let api = rt.block_on(answer(&r, with_body(agent_api_event("Bounds", "POST", "/bounded", &[]), &props)));
        let (status, body) = api_body(&api);
        prop_assert_eq!(status == 200, valid, "{} {:?} -> {} {}", n, s, status, body);
        let function = rt.block_on(answer(&r, agent_function_event("Bounds", "bounded", &props)));
        let state = &function["response"]["functionResponse"]["responseState"];
        prop_assert_eq!(state.is_null(), valid, "{}", function);
    }
}

#[derive(Clone)]
struct Greeting(&'static str);

/// Greets a thing by id.
#[action(GET "/greet/{id}", function = "greet")]
async fn greet(actionkit::State(g): actionkit::State<Greeting>, Path(p): Path<Id>) -> Json<String> {
    Json(format!("{} {}", g.0, p.id))
}

#[tokio::test]
async fn an_action_taking_state_registers_on_a_resolver_with_that_state() {
    let r = Resolver::with_state("Greeter", Greeting("hello")).register(greet);
    let event = agent_api_event("Greeter", "GET", "/greet/{id}", &[("id", "string", "t-1")]);
    assert_eq!(
        api_body(&answer(&r, event).await),
        (200, json!("hello t-1"))
    );
}

/// An enum deriving utoipa's `ToSchema` itself, not `#[model]`.
#[derive(Debug, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
enum Priority {
    Low,
    High,
}

#[model]
struct ByPriority {
    /// Only this priority.
    priority: Priority,
}

async fn by_priority(Query(q): Query<ByPriority>) -> Json<String> {
    Json(format!("{:?}", q.priority))
}

#[tokio::test]
async fn a_utoipa_enum_works_in_a_model_query_without_inline() {
    let r = Resolver::new("Things").get("/things", "Things by priority", by_priority);
    let doc = r.openapi_document().unwrap();
    let param = &doc["paths"]["/things"]["get"]["parameters"][0];
    assert_eq!(param["schema"]["type"], "string");
    assert!(
        param["schema"]["description"]
            .as_str()
            .unwrap()
            .contains("low, high")
    );
    let event = agent_api_event(
        "Things",
        "GET",
        "/things",
        &[("priority", "string", "high")],
    );
    assert_eq!(api_body(&answer(&r, event).await), (200, json!("High")));
}

/// Derives written before `#[model]` see the item as declared.
#[derive(Debug, Clone)]
#[model]
struct DeriveFirst {
    /// Bounded.
    #[field(maximum = 3)]
    n: u8,
}

#[test]
fn derives_before_the_attribute_work() {
    let d: DeriveFirst = actionkit::from_value(&json!({"n": "2"})).unwrap();
    assert_eq!(format!("{:?}", d.clone()), "DeriveFirst { n: 2 }");
    assert_eq!(schema_of::<DeriveFirst>()["properties"]["n"]["maximum"], 3);
}

#[test]
#[should_panic(expected = "404 is not a success status (2xx)")]
fn a_success_status_outside_2xx_is_refused() {
    let _ = Operation::new("Creates a thing").status(404);
}

/// One page of results.
#[model]
struct Page<T> {
    /// The items of this page.
    #[field(default, max_items = 50)]
    items: Vec<T>,
    /// The page after this one, if any.
    next: Option<String>,
}

async fn page(Body(p): Body<Page<Severity>>) -> Json<Page<Id>> {
    let items = p
        .items
        .iter()
        .map(|s| Id {
            id: format!("{s:?}"),
        })
        .collect();
    Json(Page { items, next: None })
}

#[tokio::test]
async fn a_generic_model_documents_and_decodes_each_instance() {
    let items = &schema_of::<Page<Severity>>()["properties"]["items"];
    assert_eq!(items["maxItems"], 50);
    assert_eq!(items["default"], json!([]));
    assert_eq!(items["items"]["enum"], json!(["LOW", "VERY_HIGH", "sev-0"]));
    let r = Resolver::new("Pages").post("/pages", "Echoes a page", page);
    let doc = r.openapi_document().unwrap();
    let response = &doc["paths"]["/pages"]["post"]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    assert_eq!(
        response["properties"]["items"]["items"]["properties"]["id"]["type"],
        "string"
    );
    let event = with_body(
        agent_api_event("Pages", "POST", "/pages", &[]),
        &[("items", "array", "[\"sev-0\"]")],
    );
    assert_eq!(
        api_body(&answer(&r, event).await),
        (200, json!({"items": [{"id": "Critical"}], "next": null}))
    );
}

/// What to do with a ticket.
#[model]
#[serde(rename_all = "snake_case")]
enum Disposition {
    /// Fix it now.
    Fix,
    /// Wait for the customer
    Wait,
    Drop,
}

#[test]
fn variant_doc_comments_say_what_each_value_means() {
    assert_eq!(
        schema_of::<Disposition>()["description"],
        "What to do with a ticket. fix: Fix it now; wait: Wait for the customer."
    );
}

/// Answers with an opaque reply type.
#[action(GET "/opaque")]
async fn opaque() -> impl actionkit::IntoReply {
    Json("opaque")
}

#[tokio::test]
async fn an_action_may_return_an_opaque_reply() {
    let r = Resolver::new("Opaque").register(opaque);
    let event = agent_api_event("Opaque", "GET", "/opaque", &[]);
    assert_eq!(api_body(&answer(&r, event).await), (200, json!("opaque")));
}
