// An #[action] handler's arguments are extractors; the error names the one that is not.
use actionkit::{Json, Resolver, action};

/// Echoes.
#[action(GET "/echo")]
async fn echo(text: String) -> Json<String> {
    Json(text)
}

fn main() {
    let _ = Resolver::new("Echo").register(echo);
}
