//! # vendor-enrichment
//!
//! Matches invoice line items to the vendor master record (vendor id → tax
//! id → normalized name → word-by-word name comparison), classifies each as capex, opex,
//! travel or cogs, flags what needs a person, and names the approver route.
//! Serves a Step Functions Map step (single items and Distributed Map
//! batches) and a Bedrock Agent action group from one binary.

mod classify;
mod config;
mod dynamo;
mod enrich;
mod index;
mod item;
mod matcher;
mod normalize;
mod prebuilt;
mod routes;
mod rules;
mod score;
mod store;
mod vendor;

pub use config::{Config, ConfigError};
pub use dynamo::{DynamoStore, load_table, table_items};
pub use enrich::{BatchResult, ItemResult, MAX_BATCH_ITEMS, Summary, enrich};
pub use matcher::{Candidate, MatchMethod};
pub use normalize::{NameKey, TokenClass, name_key, tax_key, token_class};
pub use routes::{ACTION_GROUP, AnyStore, AppState, resolver};
pub use rules::{Rules, RulesError};
pub use store::{EmbeddedStore, LookupHits, LookupKeys, StoreError, VendorStore};
pub use vendor::{EMBEDDED_MASTER, Vendor, VendorMasterFile};

/// The embedded vendor master, parsed.
pub fn embedded_vendors() -> Result<Vec<Vendor>, serde_json::Error> {
    serde_json::from_str::<VendorMasterFile>(EMBEDDED_MASTER).map(|f| f.vendors)
}
