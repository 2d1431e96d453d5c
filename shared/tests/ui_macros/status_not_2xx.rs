// The declared status is the success status; errors are listed apart.
use actionkit::{Json, action};

/// Pings.
#[action(GET "/ping", status = 404)]
async fn ping() -> Json<&'static str> {
    Json("pong")
}

fn main() {}
