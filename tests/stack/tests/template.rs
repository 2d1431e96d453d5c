//! template.yaml: the schemas it embeds are the committed files, every IAM
//! statement names its resources, and the functions are configured as
//! their `cargo lambda deploy` metadata says.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use actionkit_stack::{
    GENERATED_BEGIN, resources_of_type, sync_generated_blocks, template, template_text,
    to_cfn_tool_schema,
};
use serde_json::Value;

fn repo_file(path: &str) -> String {
    std::fs::read_to_string(actionkit_testkit::repo_root().join(path))
        .unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// The function each schema file belongs to, by its logical id.
const FUNCTIONS: [(&str, &str); 3] = [
    ("CloudWatchQueryFunction", "cloudwatch-query"),
    ("VendorEnrichmentFunction", "vendor-enrichment"),
    ("CryptoPreprocessFunction", "crypto-preprocess"),
];

fn function_of(reference: &Value) -> &'static str {
    let id = reference["Fn::GetAtt"][0].as_str().unwrap_or_default();
    FUNCTIONS
        .iter()
        .find(|(logical, _)| *logical == id)
        .map_or_else(
            || panic!("not one of our functions: {reference}"),
            |(_, f)| f,
        )
}

/// `make schemas` (UPDATE_SNAPSHOTS=1) rewrites the blocks; otherwise any
/// difference is drift.
#[test]
fn generated_blocks_are_the_committed_files() {
    let text = template_text();
    let synced = sync_generated_blocks(&text);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(
            actionkit_testkit::repo_root().join("template.yaml"),
            &synced,
        )
        .unwrap();
        return;
    }
    assert!(
        text == synced,
        "template.yaml's generated lines drifted from openapi/: run `make schemas` and review the diff"
    );
    assert_eq!(
        text.matches(GENERATED_BEGIN).count(),
        6,
        "three ApiSchemas and three tool schemas"
    );
}

#[test]
fn agent_action_groups_carry_the_openapi_files_verbatim() {
    let template = template();
    let agents = resources_of_type(&template, "AWS::Bedrock::Agent");
    assert_eq!(agents.len(), 1);
    let groups = agents[0].1["Properties"]["ActionGroups"]
        .as_array()
        .unwrap();
    assert_eq!(groups.len(), 3);
    for group in groups {
        let function = function_of(&group["ActionGroupExecutor"]["Lambda"]);
        let file = format!("openapi/{function}.json");
        let payload = group["ApiSchema"]["Payload"].as_str().unwrap_or_default();
        // The same document (one compact line in the template).
        let parse = |text: &str| serde_json::from_str::<Value>(text).ok();
        assert!(
            parse(payload).is_some() && parse(payload) == parse(&repo_file(&file)),
            "{}: ApiSchema is not {file}",
            group["ActionGroupName"]
        );
        // ...and it passes Bedrock's profile under the name the group is
        // deployed with (Claude's tool names embed it, within 64 characters).
        let doc: Value = serde_json::from_str(payload).unwrap();
        assert_eq!(doc["openapi"], "3.0.0");
        let name = group["ActionGroupName"].as_str().unwrap();
        let violations = actionkit::bedrock_openapi_violations(&doc, name);
        assert!(violations.is_empty(), "{name}: {violations:?}");
    }
}

#[test]
fn gateway_targets_carry_the_tool_files() {
    let template = template();
    let targets = resources_of_type(&template, "AWS::BedrockAgentCore::GatewayTarget");
    assert_eq!(targets.len(), 3);
    for (id, target) in targets {
        let lambda = &target["Properties"]["TargetConfiguration"]["Mcp"]["Lambda"];
        let function = function_of(&lambda["LambdaArn"]);
        let file = format!("openapi/{function}.tools.json");
        let committed: Value = serde_json::from_str(&repo_file(&file)).unwrap();
        assert_eq!(
            lambda["ToolSchema"]["InlinePayload"],
            to_cfn_tool_schema(&committed),
            "{id}: InlinePayload is not {file}"
        );
        assert_eq!(
            target["Properties"]["CredentialProviderConfigurations"][0]["CredentialProviderType"],
            "GATEWAY_IAM_ROLE",
            "{id}"
        );
        // Gateway tool names are `<target>___<tool>`, at most 64 characters.
        let name = target["Properties"]["Name"].as_str().unwrap();
        for tool in committed.as_array().unwrap() {
            let full = format!("{name}___{}", tool["name"].as_str().unwrap());
            assert!(full.len() <= 64, "{full} is too long for MCP clients");
        }
    }
}

#[test]
fn the_gateway_role_invokes_exactly_the_tool_functions() {
    let template = template();
    let role = &template["Resources"]["GatewayRole"]["Properties"];
    let statements = role["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0]["Action"], "lambda:InvokeFunction");
    let mut invoked: Vec<&str> = statements[0]["Resource"]
        .as_array()
        .unwrap()
        .iter()
        .map(function_of)
        .collect();
    let mut served: Vec<&str> =
        resources_of_type(&template, "AWS::BedrockAgentCore::GatewayTarget")
            .iter()
            .map(|(_, t)| {
                function_of(&t["Properties"]["TargetConfiguration"]["Mcp"]["Lambda"]["LambdaArn"])
            })
            .collect();
    invoked.sort_unstable();
    served.sort_unstable();
    assert_eq!(invoked, served);
    let gateway = &template["Resources"]["ToolGateway"]["Properties"];
    assert_eq!(gateway["ProtocolType"], "MCP");
    assert_eq!(gateway["AuthorizerType"]["Ref"], "GatewayAuthorizerType");
}

/// `Resource: "*"` only where the API accepts nothing narrower, each such
/// statement named here and explained by a comment in the template.
const WILDCARD_ALLOWED: [&str; 4] = [
    "FollowUpOnQueries", // GetQueryResults/StopQuery/DescribeQueries take a query id
    "LogDelivery",       // Step Functions log delivery APIs
    "Tracing",           // X-Ray
    "AccountAdministersTheKey", // in a key policy "*" is the key itself
];

fn statements(template: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for (id, resource) in template["Resources"].as_object().unwrap() {
        let props = &resource["Properties"];
        let mut documents = Vec::new();
        if let Some(policies) = props["Policies"].as_array() {
            documents.extend(policies.iter().map(|p| &p["PolicyDocument"]));
        }
        documents.push(&props["PolicyDocument"]);
        documents.push(&props["KeyPolicy"]);
        for document in documents {
            if let Some(list) = document["Statement"].as_array() {
                out.extend(list.iter().map(|s| (id.clone(), s)));
            }
        }
    }
    out
}

#[test]
fn every_iam_statement_names_specific_resources() {
    let template = template();
    let text = template_text();
    let all = statements(&template);
    assert!(all.len() > 20, "found only {} statements", all.len());
    for (id, statement) in all {
        let sid = statement["Sid"].as_str().unwrap_or_default();
        let resources: Vec<&Value> = match &statement["Resource"] {
            Value::Array(list) => list.iter().collect(),
            Value::Null => continue, // trust policies name a principal, not a resource
            one => vec![one],
        };
        let wildcard = resources.iter().any(|r| *r == "*");
        if wildcard {
            assert!(
                WILDCARD_ALLOWED.contains(&sid),
                "{id}/{sid}: Resource \"*\""
            );
            // The statement is explained where it stands.
            let at = text.find(&format!("Sid: {sid}")).unwrap();
            let before: Vec<&str> = text[..at].lines().rev().take(6).collect();
            assert!(
                before.iter().any(|l| l.trim_start().starts_with('#')),
                "{id}/{sid}: a Resource \"*\" needs a comment saying why"
            );
        }
        // No service-wide grants in an Allow.
        if statement["Effect"] == "Allow" && sid != "AccountAdministersTheKey" {
            let actions: Vec<&Value> = match &statement["Action"] {
                Value::Array(list) => list.iter().collect(),
                one => vec![one],
            };
            for action in actions {
                let action = action.as_str().unwrap_or_default();
                assert!(
                    !action.ends_with(":*") && action != "*",
                    "{id}/{sid}: {action}"
                );
            }
        }
    }
}

#[test]
fn the_agent_alone_may_invoke_the_functions() {
    let template = template();
    let permissions = resources_of_type(&template, "AWS::Lambda::Permission");
    assert_eq!(permissions.len(), 3);
    for (id, permission) in permissions {
        let p = &permission["Properties"];
        assert_eq!(p["Principal"], "bedrock.amazonaws.com", "{id}");
        assert_eq!(
            p["SourceArn"]["Fn::GetAtt"][0], "OpsAgent",
            "{id}: scoped to the agent"
        );
        assert_eq!(p["SourceAccount"]["Ref"], "AWS::AccountId", "{id}");
    }
}

#[test]
fn functions_are_built_and_configured_as_their_deploy_metadata_says() {
    let template = template();
    let functions = resources_of_type(&template, "AWS::Serverless::Function");
    assert_eq!(functions.len(), 3);
    for (id, function) in functions {
        let binary = function["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .unwrap();
        assert_eq!(
            function["Metadata"]["BuildMethod"], "rust-cargolambda",
            "{id}"
        );
        let props = &function["Properties"];
        assert_eq!(props["Runtime"], "provided.al2023", "{id}");
        assert_eq!(props["Architectures"], serde_json::json!(["arm64"]), "{id}");
        // Its log group exists in the template, with a retention.
        let log_group = props["LoggingConfig"]["LogGroup"]["Ref"].as_str().unwrap();
        assert!(
            template["Resources"][log_group]["Properties"]["RetentionInDays"].is_object(),
            "{id}: log group {log_group} needs a retention"
        );
        assert_eq!(props["LoggingConfig"]["LogFormat"], "JSON", "{id}");
        // `cargo lambda deploy` uses the same memory, timeout and settings.
        let manifest = repo_file(&format!("functions/{binary}/Cargo.toml"));
        let deploy = manifest
            .split("[package.metadata.lambda.deploy]")
            .nth(1)
            .unwrap_or_else(|| {
                panic!("functions/{binary}/Cargo.toml has no [package.metadata.lambda.deploy]")
            });
        let field = |name: &str| {
            deploy
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{name} = ")))
                .map(|v| v.trim().trim_matches('"').to_owned())
                .unwrap_or_else(|| panic!("{binary}: deploy metadata has no {name}"))
        };
        assert_eq!(
            field("memory"),
            props["MemorySize"].to_string(),
            "{binary}: memory"
        );
        assert_eq!(
            field("timeout"),
            props["Timeout"].to_string(),
            "{binary}: timeout"
        );
        let tracing = match props["Tracing"].as_str() {
            Some("Active") => "active",
            _ => "passthrough",
        };
        assert_eq!(field("tracing"), tracing, "{binary}: tracing");
        let env = &props["Environment"]["Variables"];
        for line in deploy
            .lines()
            .skip_while(|l| !l.starts_with("[package.metadata.lambda.deploy.env]"))
            .skip(1)
        {
            if line.starts_with('[') {
                break;
            }
            let Some((key, value)) = line.split_once(" = ") else {
                continue;
            };
            let value = value.trim().trim_matches('"');
            match &env[key.trim()] {
                Value::String(s) => assert_eq!(s, value, "{binary}: {key}"),
                Value::Null => panic!("{binary}: {key} is not set in the template"),
                // A parameter or a reference: the default must agree.
                _ if key.trim() == "ALLOWED_LOG_GROUPS" => assert_eq!(
                    template["Parameters"]["AllowedLogGroups"]["Default"], value,
                    "{binary}: {key}"
                ),
                _ if key.trim() == "MAX_MINUTES_BACK" => assert_eq!(
                    template["Parameters"]["MaxMinutesBack"]["Default"].to_string(),
                    value,
                    "{binary}: {key}"
                ),
                other => panic!("{binary}: {key} is {other} in the template"),
            }
        }
    }
}

/// vendor-enrichment alone is a remote MCP server (actionkit's Streamable
/// HTTP on its function URL), reachable with IAM-signed requests only, and
/// the stack says where.
#[test]
fn vendor_enrichment_alone_has_a_function_url_behind_iam() {
    let template = template();
    let functions = resources_of_type(&template, "AWS::Serverless::Function");
    assert!(functions.len() >= 3);
    for (id, function) in functions {
        let url = &function["Properties"]["FunctionUrlConfig"];
        if id == "VendorEnrichmentFunction" {
            assert_eq!(url["AuthType"], "AWS_IAM", "{id}: never a public URL");
            assert_eq!(url["InvokeMode"], "BUFFERED", "{id}: JSON responses");
            assert!(url.get("Cors").is_none(), "{id}: no browser access");
        } else {
            assert!(url.is_null(), "{id} has no function URL");
        }
    }
    assert!(resources_of_type(&template, "AWS::Lambda::Url").is_empty());
    assert_eq!(
        template["Outputs"]["VendorEnrichmentMcpUrl"]["Value"]["Fn::GetAtt"],
        serde_json::json!(["VendorEnrichmentFunctionUrl", "FunctionUrl"])
    );
}
