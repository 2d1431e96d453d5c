// A handler argument that is not an extractor.
use actionkit::{FromInvocation, Json};

struct TicketId(String);

fn extracts<E: FromInvocation<()>>() {}

fn main() {
    extracts::<TicketId>();
    let _ = Json(TicketId(String::new()).0);
}
