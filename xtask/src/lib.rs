//! The book's tooling: `cargo xtask verify` proves that every output a reader
//! sees is the real output of the code beside it; `cargo xtask book` renders
//! the book with those outputs.
//!
//! The verifier's stages, in the order [`verify::verify`] runs them:
//! [`extract`] (chapters and code blocks from the markdown), [`generate`]
//! (a crate per chapter, a binary per block), [`build`] (one cargo build for
//! all), [`run`] (each block twice, under a time limit), [`snapshot`] (insta
//! snapshots of the outputs), [`python`] and [`crosscheck`] (PyTorch twins,
//! run with torch and checked number for number against their Rust blocks)
//! and [`report`]. [`book`] renders the book and
//! [`links`] checks its internal links.

pub mod atomic;
pub mod bench;
pub mod book;
pub mod browser;
pub mod build;
pub mod cache;
pub mod copy_out;
pub mod crosscheck;
pub mod extract;
pub mod generate;
pub mod graph;
pub mod hash;
pub mod layout;
pub mod links;
pub mod math;
pub mod preprocessor;
pub mod python;
pub mod render;
pub mod report;
pub mod run;
pub mod rustfmt;
pub mod snapshot;
pub mod verdict;
pub mod verify;
pub mod workspace_tests;
