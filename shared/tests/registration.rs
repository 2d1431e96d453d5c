//! What registering handlers costs a cold start: each handler's request
//! schema is described and compiled once, however many ways it is exposed
//! (an `Action` with routes, functions and tasks); response schemas are
//! described only when a schema is asked for, once per route or function,
//! and answering invocations describes nothing. Checked over generated
//! registrations, beside the documents staying what they were.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::cell::Cell;

use actionkit::{
    Action, ActionError, FromInvocation, IntoReply, Invocation, Json, Method, OperationDoc, Query,
    Reply, Resolver,
};
use common::{api_event, function_event};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

thread_local! {
    static REQUEST_DESCRIBED: Cell<usize> = const { Cell::new(0) };
    static RESPONSE_DESCRIBED: Cell<usize> = const { Cell::new(0) };
}

fn counts() -> (usize, usize) {
    (REQUEST_DESCRIBED.get(), RESPONSE_DESCRIBED.get())
}

fn reset() {
    REQUEST_DESCRIBED.set(0);
    RESPONSE_DESCRIBED.set(0);
}

#[derive(Deserialize, IntoParams)]
struct Lookup {
    /// The city, e.g. Oslo.
    #[param(max_length = 40)]
    city: String,
}

/// `Query<Lookup>` that counts how often it is described.
struct CountedQuery(Lookup);

impl<S: Sync> FromInvocation<S> for CountedQuery {
    fn from_invocation(invocation: &Invocation<'_>, state: &S) -> Result<Self, ActionError> {
        Query::<Lookup>::from_invocation(invocation, state).map(|Query(q)| Self(q))
    }

    fn describe(doc: &mut OperationDoc) {
        REQUEST_DESCRIBED.set(REQUEST_DESCRIBED.get() + 1);
        <Query<Lookup> as FromInvocation<S>>::describe(doc);
    }
}

#[derive(Serialize, ToSchema)]
struct Weather {
    /// The city.
    city: String,
    /// Degrees Celsius.
    celsius: f64,
}

/// `Json<Weather>` that counts how often it is described.
struct CountedReply(Weather);

impl IntoReply for CountedReply {
    fn into_reply(self) -> Reply {
        Json(self.0).into_reply()
    }

    fn describe(doc: &mut OperationDoc) {
        RESPONSE_DESCRIBED.set(RESPONSE_DESCRIBED.get() + 1);
        <Json<Weather> as IntoReply>::describe(doc);
    }
}

async fn weather(CountedQuery(q): CountedQuery) -> CountedReply {
    CountedReply(Weather {
        city: q.city,
        celsius: 21.5,
    })
}

/// How one handler is registered: plainly (one route, function or task)
/// or as an action exposed several ways.
#[derive(Debug, Clone)]
enum Registration {
    Route,
    Function,
    Task,
    Action {
        routes: usize,
        functions: usize,
        tasks: usize,
    },
}

/// One way a handler is reached, under the name it was registered with.
#[derive(Debug, Clone)]
enum Exposure {
    Route(String),
    Function(String),
    Task(String),
}

impl Exposure {
    /// The invocation of this exposure with `city`, as its caller sends it.
    fn invocation(&self, city: &str) -> serde_json::Value {
        match self {
            Self::Route(path) => api_event("GET", path, &[("city", "string", city)]),
            Self::Function(name) => function_event(name, &[("city", "string", city)]),
            Self::Task(name) => json!({"task": name, "input": {"city": city}}),
        }
    }
}

impl Registration {
    /// The exposures of the `i`th registration, each under a fresh name.
    fn exposures(&self, i: usize) -> Vec<Exposure> {
        let (routes, functions, tasks) = match *self {
            Self::Route => return vec![Exposure::Route(format!("/weather/r{i}"))],
            Self::Function => return vec![Exposure::Function(format!("weather_f{i}"))],
            Self::Task => return vec![Exposure::Task(format!("Weather{i}"))],
            Self::Action {
                routes,
                functions,
                tasks,
            } => (routes, functions, tasks),
        };
        let routes = (0..routes).map(|k| Exposure::Route(format!("/weather/a{i}/{k}")));
        let functions = (0..functions).map(|k| Exposure::Function(format!("weather_a{i}_{k}")));
        let tasks = (0..tasks).map(|k| Exposure::Task(format!("WeatherA{i}x{k}")));
        routes.chain(functions).chain(tasks).collect()
    }

    /// Routes and functions: the entries a schema documents.
    fn documented(&self, i: usize) -> usize {
        self.exposures(i)
            .iter()
            .filter(|e| !matches!(e, Exposure::Task(_)))
            .count()
    }
}

fn registration() -> impl Strategy<Value = Registration> {
    prop_oneof![
        Just(Registration::Route),
        Just(Registration::Function),
        Just(Registration::Task),
        (0..=3usize, 0..=3usize, 0..=3usize)
            .prop_filter("an action is exposed somewhere", |(r, f, t)| r + f + t > 0)
            .prop_map(|(routes, functions, tasks)| Registration::Action {
                routes,
                functions,
                tasks
            }),
    ]
}

/// A resolver with one handler per registration, each under fresh names.
fn build(registrations: &[Registration]) -> Resolver {
    let mut resolver = Resolver::new("LogInsights");
    for (i, r) in registrations.iter().enumerate() {
        let exposures = r.exposures(i);
        resolver = match (r, &exposures[..]) {
            (Registration::Route, [Exposure::Route(path)]) => {
                resolver.get(path, "Weather for a city", weather)
            }
            (Registration::Function, [Exposure::Function(name)]) => {
                resolver.function(name, "Weather for a city", weather)
            }
            (Registration::Task, [Exposure::Task(name)]) => resolver.task(name, weather),
            _ => {
                let mut action =
                    Action::new(format!("weather_a{i}"), weather).description("Weather for a city");
                for exposure in exposures {
                    action = match exposure {
                        Exposure::Route(path) => action.route(Method::Get, path),
                        Exposure::Function(name) => action.function(name),
                        Exposure::Task(name) => action.task(name),
                    };
                }
                resolver.register(action)
            }
        };
    }
    resolver
}

/// The answer's text, or the Lambda error's.
async fn answer(resolver: &Resolver, event: serde_json::Value) -> String {
    resolver
        .handle(event, common::context())
        .await
        .map(|raw| raw.get().to_owned())
        .unwrap_or_else(|e| format!("{e:?}"))
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn registration_describes_requests_once_and_responses_on_demand(
        registrations in prop::collection::vec(registration(), 1..6)
    ) {
        reset();
        let resolver = build(&registrations);
        // One request description per handler, whatever its exposures.
        prop_assert_eq!(counts(), (registrations.len(), 0));

        // Answering describes nothing, and the compiled checks still hold
        // on every exposure.
        block_on(async {
            let too_long = "x".repeat(41);
            for (i, r) in registrations.iter().enumerate() {
                for exposure in r.exposures(i) {
                    let ok = answer(&resolver, exposure.invocation("Oslo")).await;
                    assert!(ok.contains("21.5"), "{exposure:?}: {ok}");
                    let refused = answer(&resolver, exposure.invocation(&too_long)).await;
                    assert!(refused.contains("maxLength") || refused.contains("40"), "{exposure:?}: {refused}");
                    assert!(!refused.contains("21.5"), "{exposure:?}: {refused}");
                }
            }
        });
        prop_assert_eq!(counts(), (registrations.len(), 0));

        // Schemas describe each documented entry once, however often asked.
        let documented: usize = registrations
            .iter()
            .enumerate()
            .map(|(i, r)| r.documented(i))
            .sum();
        for _ in 0..2 {
            let _ = resolver.openapi_document();
            let _ = resolver.function_schema();
            let _ = resolver.tool_schema();
        }
        let (requests, responses) = counts();
        prop_assert_eq!(responses, documented);
        prop_assert_eq!(requests, registrations.len() + documented);
    }
}

/// The response schema still reaches every document, described lazily.
#[test]
fn lazily_described_responses_are_in_the_documents() {
    let resolver = Resolver::new("LogInsights")
        .register(
            Action::new("weather", weather)
                .description("Weather for a city")
                .route(Method::Get, "/weather")
                .function("weather")
                .task("Weather"),
        )
        .function("weather_plain", "Weather for a city", weather);
    let doc = resolver.openapi_document().unwrap();
    let response = &doc["paths"]["/weather"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    assert_eq!(
        response["properties"]["celsius"]["type"], "number",
        "{doc:#}"
    );
    let tools = resolver.tool_schema().unwrap();
    let tools = tools.as_array().expect("a tool list");
    assert_eq!(tools.len(), 3, "{tools:#?}");
    for tool in tools {
        let city = tool["inputSchema"]["properties"]["city"]["description"].as_str();
        assert!(
            city.is_some_and(|d| d.contains("At most 40 characters")),
            "{tool:#}"
        );
        assert_eq!(
            tool["outputSchema"]["properties"]["celsius"]["type"],
            "number"
        );
    }
    let functions = resolver.function_schema().unwrap();
    assert_eq!(functions["functions"].as_array().map(Vec::len), Some(2));
}
