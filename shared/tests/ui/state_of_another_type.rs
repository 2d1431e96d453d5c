// `State<T>` naming a type other than the resolver's state.
use std::sync::Arc;

use actionkit::{Handler, Json, State};

async fn limit(State(limit): State<u32>) -> Json<u32> {
    Json(limit)
}

/// What `Resolver::get`, `post`, `function`, `task` and `register` require.
fn register<H: Handler<Args, S>, Args, S>(_: H, _state: S) {}

fn main() {
    register(limit, Arc::new(5u32));
}
