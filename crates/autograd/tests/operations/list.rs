//! The one list of operations, `reference/operations.json`, kept whole:
//! every public operation of `src/tensor/ops/` is listed, and every listed
//! operation has a reference case computed by PyTorch, a NaN/inf case, an
//! empty-tensor case and, if it is differentiable, a sample that
//! `op_gradients.rs` gradchecks. The same check is shown failing on a
//! fixture with one of each gap.

use crate::common;

use common::operations::{self, CASES, OPS_DIR, listed, missing, ops_source, parse};

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

#[test]
fn every_public_operation_is_listed_with_its_cases_and_a_gradcheck_sample() {
    let list = listed();
    let cases: serde_json::Value = serde_json::from_str(&read(CASES)).expect("parsing reference/cases.json");
    let problems = missing(&ops_source(OPS_DIR), &list, &cases);
    assert!(
        problems.is_empty(),
        "reference/operations.json is incomplete:\n  {}",
        problems.join("\n  ")
    );
    let public = operations::public_operations(&ops_source(OPS_DIR));
    println!(
        "operations.json: {} operations, covering the {} public operations of tensor/ops/",
        list.len(),
        public.len()
    );
}

#[test]
fn a_missing_case_or_sample_fails_on_a_fixture() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/operations");
    let list = parse(&read(&format!("{dir}/operations.json")));
    let cases: serde_json::Value = serde_json::from_str(&read(&format!("{dir}/cases.json"))).unwrap();
    let problems = missing(&ops_source(&format!("{dir}/ops")), &list, &cases);
    assert_eq!(
        problems,
        [
            "`cosh` is a public operation of tensor/ops/ that operations.json does not list",
            "`sum_axis` has no bad-value case with NaN or inf",
            "`relu` has no reference case",
            "`relu` has no bad-value case with NaN or inf",
            "`relu` has no bad-value case with an empty tensor",
            "`relu` has no sample to gradcheck",
        ]
    );
}
