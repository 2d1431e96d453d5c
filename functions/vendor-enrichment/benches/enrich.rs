//! Enriching 1,000 line items against the embedded vendor master.
//! Target on the project's 2-core machines: ≤ 20 ms per batch.

#![allow(clippy::expect_used, missing_docs)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use vendor_enrichment::{EmbeddedStore, Rules, embedded_vendors, enrich};

fn batch(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let rules = Rules::embedded().expect("rules");
    let store = EmbeddedStore::embedded(&rules).expect("master");
    let items = common::realistic_batch(&embedded_vendors().expect("vendors"), 1000);
    c.bench_function("enrich_1000_items_embedded", |b| {
        b.iter(|| {
            let out = runtime
                .block_on(enrich(&store, &rules, black_box(&items), None))
                .expect("enriched");
            black_box(out.results.len())
        })
    });
    // The same batch against the index built at run time (hash maps, as
    // before the build-time index), for comparison.
    let built = EmbeddedStore::new(embedded_vendors().expect("vendors"), &rules);
    c.bench_function("enrich_1000_items_run_time_index", |b| {
        b.iter(|| {
            let out = runtime
                .block_on(enrich(&built, &rules, black_box(&items), None))
                .expect("enriched");
            black_box(out.results.len())
        })
    });
    // What a cold start does: with the embedded rules, the build-time index.
    c.bench_function("cold_start_index_embedded_master", |b| {
        b.iter(|| black_box(EmbeddedStore::embedded(&rules).expect("master").len()))
    });
    // What it did before, and still does for rules that index differently.
    c.bench_function("run_time_index_embedded_master", |b| {
        b.iter(|| {
            let vendors = embedded_vendors().expect("vendors");
            black_box(EmbeddedStore::new(vendors, &rules).len())
        })
    });
    c.bench_function("cold_start_rules_embedded", |b| {
        b.iter(|| black_box(Rules::embedded().expect("rules").currencies.len()))
    });
}

criterion_group!(benches, batch);
criterion_main!(benches);
