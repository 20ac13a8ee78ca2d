//! What several test binaries share: the reference programs' language and
//! the one list of operations. Each binary uses a part of it, hence the
//! `dead_code` allowance.

#![allow(dead_code)]

pub mod operations;
pub mod program;
