// A handler returning a bare value instead of `Json(..)`.
use actionkit::{Handler, IntoReply};

async fn count() -> u32 {
    3
}

fn replies<R: IntoReply>(_: R) {}

/// What `Resolver::get`, `post`, `function`, `task` and `register` require.
fn register<H: Handler<Args, S>, Args, S>(_: H, _state: S) {}

fn main() {
    replies(7u32);
    register(count, ());
}
