//! Reading the deployable stack the way CloudFormation and Step Functions
//! do, for the tests that keep it honest: `template.yaml` as JSON (short-form
//! intrinsic tags included), the generated blocks it embeds, and the states
//! of every `statemachines/*.asl.json`.

mod asl;
mod generated;
mod policy;
mod template;

pub use asl::{StateRef, asl_files, placeholders, states};
pub use generated::{GENERATED_BEGIN, GENERATED_END, sync_generated_blocks, to_cfn_tool_schema};
pub use policy::{
    FATAL_FUNCTION_ERRORS, LAMBDA_SERVICE_ERRORS, RETRYABLE_FUNCTION_ERRORS, violations,
};
pub use template::{resources_of_type, template, template_text};
