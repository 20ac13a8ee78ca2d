//! Reverse-mode automatic differentiation, as built in the book.
pub mod element;
pub mod error;
pub mod gradcheck;
pub mod scalar;
pub mod tensor;
mod dot;
mod print;
pub use element::Element;
pub use error::{Error, ErrorKind, Result};
pub use tensor::{Graph, Tensor};
