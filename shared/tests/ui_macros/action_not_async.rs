// Handlers are async.
use actionkit::{Json, action};

/// Pings.
#[action(GET "/ping")]
fn ping() -> Json<&'static str> {
    Json("pong")
}

fn main() {}
