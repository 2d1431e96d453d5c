//! The DynamoDB store against a real moto server: the table is loaded with
//! the sample master, and answers exactly as the embedded store does, in
//! few calls.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use actionkit_testkit::Moto;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use serde_json::{Value, json};
use vendor_enrichment::{
    AnyStore, AppState, DynamoStore, EmbeddedStore, Rules, embedded_vendors, enrich, load_table,
    resolver,
};

const TABLE: &str = "vendor-master";

fn client(moto: &Moto) -> Client {
    actionkit_testkit::moto_client!(aws_sdk_dynamodb, moto.endpoint())
}

/// Creates the table exactly as `template.yaml` defines `VendorTable`:
/// attribute definitions, key schema and billing mode are read from it.
async fn create_table(client: &Client) {
    let text =
        std::fs::read_to_string(actionkit_testkit::repo_root().join("template.yaml")).unwrap();
    let template: serde_norway::Value = serde_norway::from_str(&text).unwrap();
    let table = &template["Resources"]["VendorTable"];
    assert_eq!(table["Type"].as_str(), Some("AWS::DynamoDB::Table"));
    let props = &table["Properties"];
    let text_of = |v: &serde_norway::Value, key: &str| v[key].as_str().unwrap().to_owned();
    let mut request = client.create_table().table_name(TABLE);
    for def in props["AttributeDefinitions"].as_sequence().unwrap() {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(text_of(def, "AttributeName"))
                .attribute_type(ScalarAttributeType::from(
                    text_of(def, "AttributeType").as_str(),
                ))
                .build()
                .unwrap(),
        );
    }
    for key in props["KeySchema"].as_sequence().unwrap() {
        request = request.key_schema(
            KeySchemaElement::builder()
                .attribute_name(text_of(key, "AttributeName"))
                .key_type(KeyType::from(text_of(key, "KeyType").as_str()))
                .build()
                .unwrap(),
        );
    }
    assert_eq!(
        props["KeySchema"][0]["AttributeName"].as_str(),
        Some("pk"),
        "the key design in src/dynamo.rs"
    );
    request
        .billing_mode(BillingMode::from(text_of(props, "BillingMode").as_str()))
        .send()
        .await
        .unwrap();
}

async fn loaded() -> (Moto, Client, Rules) {
    let moto = Moto::start();
    let client = client(&moto);
    create_table(&client).await;
    let rules = Rules::embedded().unwrap();
    let written = load_table(&client, TABLE, &embedded_vendors().unwrap(), &rules)
        .await
        .unwrap();
    assert!(written > 320 * 3, "records plus lookup items: {written}");
    (moto, client, rules)
}

fn values(batch: &vendor_enrichment::BatchResult) -> Value {
    serde_json::to_value(&batch.results).unwrap()
}

#[tokio::test]
async fn single_items_not_found_and_blocked() {
    let (_moto, client, rules) = loaded().await;
    let store = DynamoStore::new(client, TABLE);
    let items = [
        json!({"vendor_name": "Mueller GmbH", "vendor_country": "DE", "amount": 80, "currency": "EUR", "description": "steel coil"}),
        json!({"vendor_tax_id": "FR 34 711 186 829", "amount": 18500, "currency": "EUR", "description": "CNC machinery"}),
        json!({"vendor_id": "V-10001", "amount": 10, "currency": "USD"}),
        json!({"vendor_name": "Nobody In Particular", "amount": 10, "currency": "USD"}),
        json!({"vendor_name": "Crestline Components", "amount": 10, "currency": "GBP"}),
        json!({"vendor_name": "ACME Holding", "amount": 10, "currency": "USD"}),
    ];
    let batch = enrich(&store, &rules, &items, None).await.unwrap();
    let r = values(&batch);
    assert_eq!(r[0]["vendor"]["vendor_id"], "V-10003");
    assert_eq!(r[1]["match"]["method"], "tax_id");
    assert_eq!(r[2]["vendor"]["legal_name"], "ACME Corporation");
    assert_eq!(
        r[2]["vendor"]["aliases"],
        json!(["ACME Corp.", "Acme Corp"])
    );
    assert_eq!(r[3]["flags"], json!(["unknown_vendor"]));
    assert_eq!(r[4]["approver_route"], "compliance-hold");
    assert_eq!(r[5]["match"]["method"], "fuzzy_name");
    // The same answers as the embedded master.
    let embedded = EmbeddedStore::embedded(&rules).unwrap();
    assert_eq!(
        values(&enrich(&embedded, &rules, &items, None).await.unwrap()),
        r
    );
}

#[tokio::test]
async fn a_batch_of_1000_in_few_calls() {
    let (_moto, client, rules) = loaded().await;
    let vendors = embedded_vendors().unwrap();
    let items = common::realistic_batch(&vendors, 1000);
    let store = DynamoStore::new(client, TABLE);
    let batch = enrich(&store, &rules, &items, None).await.unwrap();
    let calls = store.calls();
    println!("DynamoDB calls for a 1,000-item batch: {calls}");
    assert!(calls <= 12, "{calls} calls");
    assert_eq!(batch.results.len(), 1000);
    assert_eq!(batch.summary.failed, 0);
    for (i, r) in batch.results.iter().enumerate() {
        assert_eq!(r.item["line_id"], i, "order kept");
    }
    let embedded = EmbeddedStore::embedded(&rules).unwrap();
    assert_eq!(
        values(&enrich(&embedded, &rules, &items, None).await.unwrap()),
        values(&batch)
    );
}

#[tokio::test]
async fn an_unreachable_table_is_a_retryable_store_error() {
    let (_moto, client, rules) = loaded().await;
    let state = AppState {
        store: AnyStore::Dynamo(DynamoStore::new(client, "no-such-table")),
        rules,
    };
    let r = resolver(Arc::new(state));
    let err = r
        .handle(
            json!({"vendor_id": "V-10001", "amount": 1, "currency": "USD"}),
            actionkit::Context::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.error_type, "VendorEnrichment.StoreUnavailable");
    assert!(
        !err.error_message.contains("no-such-table"),
        "the detail stays in the log"
    );
}

/// The whole evaluation set (`tests/data/matching_eval.json`) through the
/// table: the same answers as the embedded master, so the word weights the
/// table's `TOKEN#` items give are the embedded index's.
#[tokio::test]
async fn the_evaluation_set_answers_as_the_embedded_master_does() {
    let (_moto, client, rules) = loaded().await;
    let text = std::fs::read_to_string(
        actionkit_testkit::repo_root()
            .join("functions/vendor-enrichment/tests/data/matching_eval.json"),
    )
    .unwrap();
    let set: Value = serde_json::from_str(&text).unwrap();
    let items: Vec<Value> = set["queries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            let mut item = json!({"vendor_name": q["name"], "amount": 10, "currency": "EUR"});
            if let Some(c) = q["country"].as_str() {
                item["vendor_country"] = c.into();
            }
            item
        })
        .collect();
    assert!(items.len() > 400);
    let store = DynamoStore::new(client, TABLE);
    let batch = enrich(&store, &rules, &items, None).await.unwrap();
    println!(
        "DynamoDB calls for the {}-name evaluation set: {}",
        items.len(),
        store.calls()
    );
    let embedded = EmbeddedStore::embedded(&rules).unwrap();
    assert_eq!(
        values(&enrich(&embedded, &rules, &items, None).await.unwrap()),
        values(&batch)
    );
}
