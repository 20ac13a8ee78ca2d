//! The book's tooling: `cargo xtask verify` proves that every output a reader
//! sees is the real output of the code beside it; `cargo xtask book` renders
//! the book with those outputs; `cargo xtask serve` keeps it verified as the
//! author writes ([`serve`]).
//!
//! The verifier's stages, in the order [`verify::verify`] runs them:
//! [`extract`] (chapters and code blocks from the markdown), [`generate`]
//! (a crate per chapter, a binary per block, formatted by [`rustfmt`]),
//! [`build`] (one cargo build for all), [`run`] (each Rust block twice,
//! under a time limit) beside [`python`] (the PyTorch twins), [`verdict`]
//! (each block against its [`snapshot`], twins [`crosscheck`]ed), [`book`]
//! (the book built as `cargo xtask book` builds it), [`workspace_tests`],
//! and [`report`]. `ARCHITECTURE.md` has the map of every module.

pub mod atomic;
pub mod bench;
pub mod book;
pub mod browser;
pub mod build;
pub mod cache;
pub mod commands;
pub mod copy_out;
pub mod coverage;
pub mod crosscheck;
pub mod downloads;
pub mod exercise;
pub mod extract;
pub mod generate;
pub mod graph;
pub mod hash;
pub mod http;
pub mod layout;
pub mod links;
pub mod listing;
pub mod math;
pub mod preprocessor;
pub mod prose;
pub mod python;
pub mod render;
pub mod report;
pub mod run;
pub mod rustfmt;
pub mod serve;
pub mod snapshot;
pub mod stages;
pub mod tools;
pub mod verdict;
pub mod verify;
pub mod workspace_tests;
