//! What the operations tests share: the reference programs' language and
//! the one list of operations.

pub mod operations;
pub mod program;
