//! Ticket triage: the action group a new user built, on `#[model]` and
//! `#[action]` (its Powertools equivalent: tests/tools/powertools_ticket_triage.py).
use actionkit::{ActionError, Body, Json, Path, Query, Resolver, Result, action, model};

/// Where a ticket stands.
#[model]
#[derive(Clone, Copy, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Status {
    Open,
    Pending,
    Closed,
}

/// A support ticket.
#[model]
struct Ticket {
    /// The ticket's id, e.g. T-1.
    id: String,
    /// What is wrong, in one line.
    title: String,
    status: Status,
    /// Labels for routing.
    tags: Vec<String>,
}

#[model]
struct TicketId {
    /// The ticket's id, e.g. T-1.
    ticket_id: String,
}

#[model]
struct Filter {
    /// Only tickets in this status.
    status: Option<Status>,
    /// How many tickets to return.
    #[field(default = 20, minimum = 1, maximum = 100)]
    limit: u32,
    /// Only tickets with all of these tags.
    #[field(default)]
    tags: Vec<String>,
}

#[model]
struct Author {
    /// Who writes.
    name: String,
    /// Where to reach them.
    email: String,
}

#[model]
struct Comment {
    /// What to say.
    #[field(min_length = 1, max_length = 2000)]
    text: String,
    author: Author,
}

#[model]
struct Escalation {
    /// The ticket to escalate, e.g. T-1.
    ticket_id: String,
    /// Why it cannot wait.
    reason: String,
}

fn tickets() -> Vec<Ticket> {
    let data = actionkit::json!([
        {"id": "T-1", "title": "Login fails after password reset", "status": "open", "tags": ["auth", "web"]},
        {"id": "T-2", "title": "Invoice PDF is blank", "status": "pending", "tags": ["billing"]},
        {"id": "T-3", "title": "Dark mode request", "status": "closed", "tags": ["ui", "web"]},
    ]);
    actionkit::from_value(&data).unwrap_or_default()
}

fn find(id: &str) -> Result<Ticket> {
    let found = tickets().into_iter().find(|t| t.id == id);
    found.ok_or_else(|| ActionError::not_found(format!("No ticket {id}.")))
}

/// Gets one ticket by id.
#[action(GET "/tickets/{ticket_id}", errors = [404])]
async fn get_ticket(Path(p): Path<TicketId>) -> Result<Json<Ticket>> {
    find(&p.ticket_id).map(Json)
}

/// Lists tickets, optionally by status and tags.
#[action(GET "/tickets")]
async fn list_tickets(Query(f): Query<Filter>) -> Json<Vec<Ticket>> {
    let wanted = |t: &Ticket| f.status.is_none_or(|s| s == t.status);
    let tagged = |t: &Ticket| f.tags.iter().all(|g| t.tags.contains(g));
    let found = tickets().into_iter().filter(|t| wanted(t) && tagged(t));
    Json(found.take(f.limit as usize).collect())
}

/// Adds a comment to a ticket.
#[action(POST "/tickets/{ticket_id}/comments", task = "CreateComment", status = 201, errors = [404, 409])]
async fn create_comment(Path(p): Path<TicketId>, Body(c): Body<Comment>) -> Result<Json<Comment>> {
    match find(&p.ticket_id)?.status {
        Status::Closed => Err(ActionError::new(409, "TicketClosed", "Ticket is closed.")),
        _ => Ok(Json(c)),
    }
}

/// Escalates a ticket to the on-call engineer.
#[action(function)]
async fn escalate_ticket(Body(e): Body<Escalation>) -> Result<Json<String>> {
    let ticket = find(&e.ticket_id)?;
    Ok(Json(format!("{} escalated: {}", ticket.id, e.reason)))
}

pub(crate) fn resolver() -> Resolver {
    let resolver = Resolver::new("TicketTriage").error_prefix("TicketTriage");
    resolver.register((get_ticket, list_tickets, create_comment, escalate_ticket))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    actionkit::serve(resolver()).await
}
