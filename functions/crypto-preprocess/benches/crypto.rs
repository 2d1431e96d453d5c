//! Pseudonymizing a 100 KB document (target ≥ 50 MB/s on the project's
//! 2-core machines) and encrypting 1,000 fields with one data key.

#![allow(clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crypto_preprocess::{AppState, KeyProvider, SecretSource, Tokenizer, resolver};
use serde_json::json;

/// About 100 KB of invoice correspondence, one personal datum every ~150 bytes.
fn document() -> String {
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 100 * 1024 {
        text.push_str(&format!(
            "Line {i}: refund of {}.50 EUR approved for order {}; reach the customer at customer{i}@example.com \
             or +49 30 90{:06}. Shipping to warehouse 7, dock B, pallet count {}.\n",
            i % 900,
            100_000 + i,
            i,
            i % 40
        ));
        i += 1;
    }
    text
}

fn benches(c: &mut Criterion) {
    let text = document();
    let mut group = c.benchmark_group("pseudonymize");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("text_100kb", |b| {
        b.iter(|| {
            let mut t = Tokenizer::new(b"bench-key");
            black_box(t.text(black_box(&text)).len())
        })
    });
    // The detectors alone (no tokens, no vault): what the candidate scanners cost.
    group.bench_function("detect_100kb", |b| {
        b.iter(|| black_box(crypto_preprocess::find(black_box(&text)).len()))
    });
    group.finish();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let r = resolver(Arc::new(AppState {
        keys: KeyProvider::Local { master: [3; 32] },
        webhook_secret: SecretSource::Missing("webhook"),
        token_key: SecretSource::Env(b"k".to_vec()),
    }));
    let items: Vec<_> = (0..1000)
        .map(|i| json!({"sku": i, "card": "4111111111111111", "iban": "DE89370400440532013000"}))
        .collect();
    let input = json!({"task": "encrypt_fields", "input": {"document": {"items": items}, "fields": ["items.*.card"], "context": {"document_id": "BENCH"}}}).to_string();
    c.bench_function("encrypt_1000_fields_one_data_key", |b| {
        b.iter(|| {
            let out = runtime
                .block_on(r.handle_json(black_box(&input), actionkit::Context::default()))
                .expect("encrypted");
            black_box(out.get().len())
        })
    });
}

criterion_group!(crypto, benches);
criterion_main!(crypto);
