//! A function on `lambda_runtime` alone, without actionkit, that echoes its
//! client context's `custom` map: the reproduction of the client-context
//! trap (an object in `custom` ends its run loop before any handler runs).

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| async move {
        let custom = event.context.client_context.map(|c| c.custom);
        Ok::<Value, Error>(json!({ "custom": custom }))
    }))
    .await
}
