#!/usr/bin/env python3
"""The same route on Powertools' BedrockAgentResolver, for `make bench`.

Answers one event read from the file given as argument and prints the
response, like the Rust harness (`query_cloudwatch --event FILE`), so that
the two processes can be timed side by side. `--schema` prints its OpenAPI.
"""
import json
import sys

from aws_lambda_powertools.event_handler import BedrockAgentResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

app = BedrockAgentResolver()

SAMPLE = [
    ("/aws/lambda/api-handler", 2, "ERROR upstream timeout calling payments after 3000 ms"),
    ("/aws/lambda/api-handler", 7, "WARN retrying payments call (attempt 2)"),
    ("/aws/lambda/api-handler", 15, "INFO GET /orders/1842 200 41ms"),
    ("/aws/lambda/api-handler", 95, "ERROR connection reset by peer"),
    ("/aws/lambda/checkout", 4, "INFO checkout completed order=1842"),
]


@app.get("/cloudwatch_logs", description="Query CloudWatch Logs Insights for a log group")
def query_cloudwatch(
    log_group: str = Query(description="Log group name, e.g. /aws/lambda/api-handler"),
    query: str = Query(description="CloudWatch Insights query string"),
    minutes_back: int = Query(default=60, description="Time window in minutes"),
) -> dict:
    """Returns the parsed query results."""
    rows = [{"minutes_ago": ago, "message": msg} for g, ago, msg in SAMPLE if g == log_group and ago <= minutes_back]
    return {"results": sorted(rows, key=lambda r: r["minutes_ago"])}


class _Context:
    aws_request_id = "harness"
    function_name = "query_cloudwatch"


if __name__ == "__main__":
    if sys.argv[1] == "--schema":
        print(app.get_openapi_json_schema(title="Log Insights", version="1.0.0"))
    else:
        with open(sys.argv[1]) as f:
            print(json.dumps(app.resolve(json.load(f), _Context())))
