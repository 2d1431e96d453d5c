// `register` takes actions: a plain handler needs #[action] or Action::new.
use actionkit::{Json, Resolver};

async fn ping() -> Json<&'static str> {
    Json("pong")
}

fn main() {
    let _ = Resolver::new("Health").register(ping);
}
