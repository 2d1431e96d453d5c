// A `Query<T>` whose `T` is not declared as parameters.
use actionkit::{Handler, Json, Query};
use serde::Deserialize;

#[derive(Deserialize)]
struct Filter {
    status: String,
}

async fn list(Query(f): Query<Filter>) -> Json<String> {
    Json(f.status)
}

/// What `Resolver::get`, `post`, `function`, `task` and `register` require.
fn register<H: Handler<Args, S>, Args, S>(_: H, _state: S) {}

fn main() {
    register(list, ());
}
