//! Every test that reads the one list of operations,
//! `reference/operations.json`, in one test binary: the reference
//! programs' interpreter (`common/`), generic over the dtype, is compiled
//! and linked once instead of once per file.
//!
//! - `list`: the list is whole: every public operation listed, each with
//!   its reference cases and gradcheck samples.
//! - `reference_suite`: every case of `reference/cases.json`, and every
//!   random program of `reference/fuzz.json`, computed by PyTorch, replayed
//!   with the engine; `replay_text` writes a failing program out as PyTorch
//!   and as Rust.
//! - `bad_values`: NaN, infinities, overflow and empty tensors.
//! - `op_gradients`: one test per operation's gradient, for both engines,
//!   and the backward semantics.
//! - `second_order`: gradients of gradients, against `backward`, gradcheck
//!   and closed forms.
//! - `random_graphs`: random programs, shapes and broadcasts against gradcheck.

mod common;

mod bad_values;
mod list;
mod op_gradients;
mod random_graphs;
mod reference_suite;
mod replay_text;
mod second_order;
