//! placeholder: the engine is being written.
pub mod element;
pub use element::Element;
