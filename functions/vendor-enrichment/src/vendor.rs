//! The vendor master record.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One vendor of the master record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Vendor {
    /// The vendor id, e.g. V-10001.
    pub vendor_id: String,
    /// The registered legal name.
    pub legal_name: String,
    /// Other names the vendor invoices under.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Tax/VAT id as registered.
    pub tax_id: String,
    /// ISO 3166 country code.
    pub country: String,
    /// ISO 4217 currency the vendor invoices in.
    pub currency: String,
    /// Payment terms, e.g. NET30.
    pub payment_terms: String,
    /// Risk tier: low, medium or high.
    pub risk_tier: String,
    /// Status: active, inactive or blocked.
    pub status: String,
    /// The category the vendor's invoices usually belong to: capex, opex, travel or cogs.
    pub default_category: String,
    /// The parent company's vendor id, for subsidiaries.
    #[serde(default)]
    pub parent_id: Option<String>,
}

/// The embedded vendor master file.
#[derive(Debug, Deserialize)]
pub struct VendorMasterFile {
    /// The vendors.
    pub vendors: Vec<Vendor>,
}

/// The embedded default master (fictional): `data/vendors.json`.
pub const EMBEDDED_MASTER: &str = include_str!("../data/vendors.json");
