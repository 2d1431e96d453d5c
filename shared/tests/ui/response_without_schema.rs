// A `Json<T>` return type whose `T` has no schema.
use actionkit::{Handler, Json};
use serde::Serialize;

#[derive(Serialize)]
struct Ticket {
    id: String,
}

async fn get_ticket() -> Json<Ticket> {
    Json(Ticket { id: "T-1".into() })
}

/// What `Resolver::get`, `post`, `function`, `task` and `register` require.
fn register<H: Handler<Args, S>, Args, S>(_: H, _state: S) {}

fn main() {
    register(get_ticket, ());
}
