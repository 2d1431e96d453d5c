//! The Lambda entry point: keys, secrets and the payload store are set up
//! once, at cold start (see `Config`); a bad setting is reported to the
//! Runtime API's init error.

use std::process::ExitCode;

use crypto_preprocess::Config;

#[tokio::main]
async fn main() -> ExitCode {
    actionkit::init_tracing();
    let function = match Config::from_env() {
        Ok(config) => config.function().await,
        Err(e) => Err(e),
    };
    match function {
        Ok(function) => actionkit::serve(function).await,
        Err(e) => actionkit::init_error("CryptoPreprocess.InvalidConfig", &e.to_string()).await,
    }
}
