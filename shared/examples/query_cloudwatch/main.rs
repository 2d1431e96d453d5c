//! A runnable port of the article's `query_cloudwatch` example.
//!
//! ```text
//! cargo run --example query_cloudwatch -- --schema            # OpenAPI document
//! cargo run --example query_cloudwatch -- --function-schema   # functionSchema
//! cargo run --example query_cloudwatch -- --event FILE        # answer one event, print, exit
//! cargo run --example query_cloudwatch -- --demo DIR          # answer every event in DIR, readably
//! cargo run --example query_cloudwatch                         # serve on the Lambda Runtime API
//! ```

mod app;
mod demo;

use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let resolver = app::resolver();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["--schema"] => print_json(resolver.openapi(
            "Log Insights",
            "1.0.0",
            "Query CloudWatch Logs Insights for an on-call agent",
        )),
        ["--function-schema"] => print_json(resolver.function_schema()),
        ["--event", path] => demo::answer_file(&resolver, path).await,
        ["--demo", dir] => demo::run(&resolver, dir).await,
        [] => {
            actionkit::init_tracing();
            actionkit::serve(resolver).await
        }
        _ => {
            eprintln!(
                "usage: query_cloudwatch [--schema | --function-schema | --event FILE | --demo DIR]"
            );
            ExitCode::from(2)
        }
    }
}

fn print_json(doc: Result<serde_json::Value, actionkit::SchemaError>) -> ExitCode {
    match doc {
        Ok(doc) => {
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("schema refused: {e}");
            ExitCode::FAILURE
        }
    }
}
