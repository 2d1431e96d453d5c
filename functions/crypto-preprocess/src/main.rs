//! The Lambda entry point: keys, secrets and the payload store are set up
//! once, at cold start (see `Config`); a bad setting is reported to the
//! Runtime API's init error.

use std::process::ExitCode;

use crypto_preprocess::Config;

#[tokio::main]
async fn main() -> ExitCode {
    actionkit::init_tracing();
    match Config::from_env() {
        Ok(config) => actionkit::serve(config.function().await).await,
        Err(e) => actionkit::init_error("CryptoPreprocess.InvalidConfig", &e.to_string()).await,
    }
}
