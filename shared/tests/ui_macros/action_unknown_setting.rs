// A setting the attribute does not know is refused with the list of settings.
use actionkit::{Json, action};

/// Pings.
#[action(FETCH "/ping")]
async fn ping() -> Json<&'static str> {
    Json("pong")
}

fn main() {}
