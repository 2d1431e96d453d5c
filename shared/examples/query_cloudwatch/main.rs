//! A runnable port of the article's `query_cloudwatch` example.
//!
//! ```text
//! cargo run --example query_cloudwatch -- --openapi           # OpenAPI document
//! cargo run --example query_cloudwatch -- --function-schema   # functionSchema
//! cargo run --example query_cloudwatch -- --tool-schema       # Gateway tool schema
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
        ["--event", path] => demo::answer_file(&resolver, path).await,
        ["--demo", dir] => demo::run(&resolver, dir).await,
        // The Lambda Runtime API, or --openapi / --function-schema / --tool-schema.
        [] | [_] => {
            actionkit::init_tracing();
            actionkit::serve(resolver).await
        }
        _ => {
            eprintln!(
                "usage: query_cloudwatch [--openapi | --function-schema | --tool-schema | --event FILE | --demo DIR]"
            );
            ExitCode::from(2)
        }
    }
}
