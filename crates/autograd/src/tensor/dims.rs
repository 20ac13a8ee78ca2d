//! Dimensions as PyTorch takes them: counted from the end when negative
//! (`-1` is the last), one or several at a time, and shapes with one size
//! left for the engine to infer (`reshape([2, -1])`).

// ANCHOR: dims-imports
use crate::error::{Error, ErrorKind, Result};
// ANCHOR_END: dims-imports

// ANCHOR: dim
/// One dimension: an index from the front (`0`, `1`, …) or, when negative,
/// from the back (`-1` is the last), as in `x.sum(-1, false)`.
pub trait Dim: Copy {
    /// The index as given, negative or not.
    fn signed(self) -> i64;
}

macro_rules! dim_for {
    ($($t:ty),*) => {$(
        impl Dim for $t {
            fn signed(self) -> i64 {
                i64::try_from(self).expect("a dimension fits in an i64")
            }
        }
    )*};
}
dim_for!(i32, i64, isize, usize);

/// The dimension `dim` of a tensor with `ndim` dimensions, from the front.
/// A 0-dimensional tensor accepts `0` and `-1`, as in PyTorch.
pub(crate) fn resolve(op: &str, dim: impl Dim, ndim: usize) -> Result<usize> {
    let span = i64::try_from(ndim.max(1)).expect("ndim fits in an i64");
    let d = dim.signed();
    if (-span..span).contains(&d) {
        let from_front = if d < 0 { d + span } else { d };
        Ok(usize::try_from(from_front).expect("in range"))
    } else {
        Err(Error::new(
            ErrorKind::OutOfRange,
            format!(
                "{op}: dimension out of range (expected to be in range of [{}, {}], but got {d})",
                -span,
                span - 1
            ),
        ))
    }
}
// ANCHOR_END: dim

// ANCHOR: dims
/// One dimension or several, for a reduction: `-1`, `[0, 1]`, `&dims[..]`.
pub trait Dims {
    /// The dimensions as given.
    fn signed(self) -> Vec<i64>;
}

impl<D: Dim> Dims for D {
    fn signed(self) -> Vec<i64> {
        vec![Dim::signed(self)]
    }
}

impl<D: Dim, const N: usize> Dims for [D; N] {
    fn signed(self) -> Vec<i64> {
        self.iter().map(|&d| d.signed()).collect()
    }
}

impl<D: Dim> Dims for &[D] {
    fn signed(self) -> Vec<i64> {
        self.iter().map(|&d| d.signed()).collect()
    }
}

impl<D: Dim> Dims for Vec<D> {
    fn signed(self) -> Vec<i64> {
        Dims::signed(self.as_slice())
    }
}
// ANCHOR_END: dims

// ANCHOR: resolve-all

/// The dimensions `dims` of a tensor with `ndim` dimensions, from the front,
/// in increasing order; PyTorch refuses one named twice.
pub(crate) fn resolve_all(op: &str, dims: impl Dims, ndim: usize) -> Result<Vec<usize>> {
    let dims = dims.signed();
    if dims.is_empty() {
        return Err(Error::new(
            ErrorKind::Invalid,
            format!("{op}: no dimension given (to reduce over all of them, call {op}_all())"),
        ));
    }
    let mut resolved = Vec::new();
    for d in dims {
        let axis = resolve(op, d, ndim)?;
        if resolved.contains(&axis) {
            return Err(Error::new(
                ErrorKind::Invalid,
                format!("{op}: dim {axis} appears multiple times in the list of dims"),
            ));
        }
        resolved.push(axis);
    }
    resolved.sort_unstable();
    // A 0-dimensional tensor has no axis to reduce: dim 0 leaves it as it is.
    if ndim == 0 {
        resolved.clear();
    }
    Ok(resolved)
}
// ANCHOR_END: resolve-all

// ANCHOR: new-shape
/// A shape for `reshape`: sizes, of which one may be `-1`, the size that
/// makes the element count come out right (`reshape([-1])` flattens).
pub trait NewShape {
    /// The sizes as given.
    fn signed(self) -> Vec<i64>;
}

impl<D: Dim, const N: usize> NewShape for [D; N] {
    fn signed(self) -> Vec<i64> {
        Dims::signed(self)
    }
}

impl<D: Dim, const N: usize> NewShape for &[D; N] {
    fn signed(self) -> Vec<i64> {
        Dims::signed(*self)
    }
}

impl<D: Dim> NewShape for &[D] {
    fn signed(self) -> Vec<i64> {
        Dims::signed(self)
    }
}

impl<D: Dim> NewShape for Vec<D> {
    fn signed(self) -> Vec<i64> {
        Dims::signed(self)
    }
}

impl<D: Dim> NewShape for &Vec<D> {
    fn signed(self) -> Vec<i64> {
        Dims::signed(self.as_slice())
    }
}
// ANCHOR_END: new-shape

// ANCHOR: infer-shape
/// The sizes of `shape` for a tensor of `numel` elements, its `-1` inferred.
pub(crate) fn infer_shape(shape: impl NewShape, numel: usize) -> Result<Vec<usize>> {
    let sizes = shape.signed();
    let invalid = |why: String| {
        Error::new(
            ErrorKind::Shape,
            format!("shape {sizes:?} is invalid for input of size {numel}{why}"),
        )
    };
    if sizes.iter().filter(|&&s| s == -1).count() > 1 {
        return Err(invalid(": only one dimension can be inferred".into()));
    }
    if let Some(&s) = sizes.iter().find(|&&s| s < -1) {
        return Err(invalid(format!(": invalid shape dimension {s}")));
    }
    let known: usize = sizes
        .iter()
        .filter(|&&s| s >= 0)
        .map(|&s| usize::try_from(s).expect("non-negative"))
        .product();
    let inferred = match known {
        0 => None,
        _ if numel.is_multiple_of(known) => Some(numel / known),
        _ => None,
    };
    let out: Vec<usize> = sizes
        .iter()
        .map(|&s| match s {
            -1 => inferred.ok_or_else(|| invalid(String::new())),
            _ => Ok(usize::try_from(s).expect("non-negative")),
        })
        .collect::<Result<_>>()?;
    if out.iter().product::<usize>() == numel {
        Ok(out)
    } else {
        Err(invalid(String::new()))
    }
}
// ANCHOR_END: infer-shape
