//! The engine's error type.
//!
//! Messages follow PyTorch's wording where PyTorch has one, so a reader who
//! met the error there recognises it here; the [`ErrorKind`] lets callers and
//! tests match on what went wrong without parsing text.

// ANCHOR: error
use std::fmt;

/// What kind of mistake an [`Error`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Operand shapes that an operation cannot combine (broadcasting, matmul, …).
    Shape,
    /// `backward()` on an output with more than one element.
    NonScalarBackward,
    /// An upstream gradient whose shape differs from the output's.
    UpstreamShape,
    /// `backward()` on a tensor that does not require gradients.
    NoGrad,
    /// An index or axis outside a tensor's shape, or `k` larger than a dimension.
    OutOfRange,
    /// [`Tensor::gradients`](crate::Tensor::gradients) met an operation
    /// whose backward rule is not written in tensor operations.
    NotRecorded,
    /// Anything else the engine refuses (for example tensors of two graphs).
    Invalid,
}
// ANCHOR_END: error

// ANCHOR: error-type
/// An error from a fallible tensor operation or from `backward`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }

    /// What went wrong, for matching.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The human-readable message (the same text `Display` prints).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// `Result<T, autograd::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
// ANCHOR_END: error-type
