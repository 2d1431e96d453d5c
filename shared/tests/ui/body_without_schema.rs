// A `Body<T>` whose `T` has no schema, registered as a task.
use actionkit::{Body, Handler, Json};
use serde::Deserialize;

#[derive(Deserialize)]
struct Comment {
    text: String,
}

async fn add(Body(c): Body<Comment>) -> Json<String> {
    Json(c.text)
}

/// What `Resolver::get`, `post`, `function`, `task` and `register` require.
fn register<H: Handler<Args, S>, Args, S>(_: H, _state: S) {}

fn main() {
    register(add, ());
}
