//! placeholder: the engine is being written.
pub mod element;
pub mod scalar;
mod dot;
pub use element::Element;
