"""Ticket triage on Powertools for AWS Lambda (Python): the app of
shared/examples/ticket_triage, for the line-count comparison
(shared/tests/ticket_triage.rs)."""
from typing import Annotated, Literal, Optional

from aws_lambda_powertools.event_handler import BedrockAgentFunctionResolver, BedrockAgentResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from pydantic import BaseModel, Field

app = BedrockAgentResolver()
functions = BedrockAgentFunctionResolver()

Status = Literal["open", "pending", "closed"]


class Ticket(BaseModel):
    """A support ticket."""
    id: str = Field(description="The ticket's id, e.g. T-1.")
    title: str = Field(description="What is wrong, in one line.")
    status: Status = Field(description="Where the ticket stands.")
    tags: list[str] = Field(description="Labels for routing.")


class Author(BaseModel):
    name: str = Field(description="Who writes.")
    email: str = Field(description="Where to reach them.")


class Comment(BaseModel):
    text: str = Field(min_length=1, max_length=2000, description="What to say.")
    author: Author


class TicketClosed(Exception):
    """A closed ticket takes no comments (the Step Functions error name)."""


TICKETS = [
    Ticket(id="T-1", title="Login fails after password reset", status="open", tags=["auth", "web"]),
    Ticket(id="T-2", title="Invoice PDF is blank", status="pending", tags=["billing"]),
    Ticket(id="T-3", title="Dark mode request", status="closed", tags=["ui", "web"]),
]


def find(ticket_id: str) -> Ticket:
    for ticket in TICKETS:
        if ticket.id == ticket_id:
            return ticket
    raise NotFoundError(f"No ticket {ticket_id}.")


@app.get("/tickets/<ticket_id>", description="Gets one ticket by id.")
def get_ticket(ticket_id: Annotated[str, Path(description="The ticket's id, e.g. T-1.")]) -> Ticket:
    return find(ticket_id)


@app.get("/tickets", description="Lists tickets, optionally by status and tags.")
def list_tickets(
    status: Annotated[Optional[Status], Query(description="Only tickets in this status.")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="How many tickets to return.")] = 20,
    tags: Annotated[Optional[list[str]], Query(description="Only tickets with all of these tags.")] = None,
) -> list[Ticket]:
    found = [t for t in TICKETS if status in (None, t.status) and set(tags or []) <= set(t.tags)]
    return found[:limit]


def add_comment(ticket_id: str, comment: Comment) -> Comment:
    if find(ticket_id).status == "closed":
        raise TicketClosed("Ticket is closed.")
    return comment


@app.post(
    "/tickets/<ticket_id>/comments",
    description="Adds a comment to a ticket.",
    responses={201: {"description": "Created", "content": {"application/json": {"model": Comment}}}},
)
def create_comment(
    ticket_id: Annotated[str, Path(description="The ticket's id, e.g. T-1.")],
    comment: Annotated[Comment, Body()],
) -> Response[Comment]:
    try:
        return Response(status_code=201, content_type="application/json", body=add_comment(ticket_id, comment))
    except TicketClosed as closed:
        return Response(status_code=409, content_type="application/json", body={"message": str(closed)})


@functions.tool(name="escalate_ticket", description="Escalates a ticket to the on-call engineer.")
def escalate_ticket(ticket_id: str, reason: str) -> str:
    return f"{find(ticket_id).id} escalated: {reason}"


def lambda_handler(event: dict, context) -> dict:
    if "function" in event:
        return functions.resolve(event, context)
    if "apiPath" in event:
        return app.resolve(event, context)
    # The Step Functions task: TicketClosed fails it under that name.
    return add_comment(event["ticket_id"], Comment.model_validate(event)).model_dump()
