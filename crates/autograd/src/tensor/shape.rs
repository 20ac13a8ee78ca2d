//! Broadcasting: combining shapes forward, and undoing it backward.

// ANCHOR: shape-imports
use ndarray::{ArrayD, Axis};
// ANCHOR: shape-views-import
use ndarray::{ArrayViewD, CowArray};
// ANCHOR_END: shape-views-import

use crate::element::Element;
use crate::error::{Error, ErrorKind, Result};
// ANCHOR_END: shape-imports

// ANCHOR: broadcast-shape
/// The shape two operands broadcast to, by NumPy's and PyTorch's rule: align
/// the shapes at the right; each pair of sizes must be equal or contain a 1.
pub(crate) fn broadcast_shape(op: &str, a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for k in 0..n {
        // Sizes counted from the right; a missing dimension acts as size 1.
        let da = if k < a.len() { a[a.len() - 1 - k] } else { 1 };
        let db = if k < b.len() { b[b.len() - 1 - k] } else { 1 };
        out[n - 1 - k] = match (da, db) {
            _ if da == db => da,
            (1, _) => db,
            (_, 1) => da,
            _ => {
                return Err(Error::new(
                    ErrorKind::Shape,
                    format!(
                        "{op}: shapes {a:?} and {b:?} cannot be broadcast together: the size of \
                         tensor a ({da}) must match the size of tensor b ({db}) at non-singleton \
                         dimension {}",
                        n - 1 - k
                    ),
                ));
            }
        };
    }
    Ok(out)
}
// ANCHOR_END: broadcast-shape

// ANCHOR: sum-to-shape
/// Sums a gradient of a broadcast shape back down to `shape`: over the
/// leading dimensions broadcasting added, and over every dimension where
/// `shape` has size 1 but the gradient does not. (Each input element was
/// used once per position it was copied to, so its gradient is the sum.)
pub(crate) fn sum_to_shape<T: Element>(grad: ArrayD<T>, shape: &[usize]) -> ArrayD<T> {
    if grad.shape() == shape {
        return grad;
    }
    reduce_to_shape(grad.view(), shape)
}

/// [`sum_to_shape`] of a borrowed gradient: only the sums are allocated.
pub(crate) fn reduce_to_shape<T: Element>(grad: ArrayViewD<'_, T>, shape: &[usize]) -> ArrayD<T> {
    let mut grad = CowArray::from(grad);
    while grad.ndim() > shape.len() {
        grad = grad.sum_axis(Axis(0)).into();
    }
    for (axis, &size) in shape.iter().enumerate() {
        if size == 1 && grad.shape()[axis] != 1 {
            grad = grad.sum_axis(Axis(axis)).insert_axis(Axis(axis)).into();
        }
    }
    grad.into_owned()
}
// ANCHOR_END: sum-to-shape

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArrayD, IxDyn};

    #[test]
    fn broadcast_rules() {
        assert_eq!(broadcast_shape("add", &[5, 3], &[1, 3]).unwrap(), vec![5, 3]);
        assert_eq!(broadcast_shape("add", &[3], &[2, 1]).unwrap(), vec![2, 3]);
        assert_eq!(broadcast_shape("add", &[], &[4]).unwrap(), vec![4]);
        let err = broadcast_shape("add", &[2, 3], &[4]).unwrap_err();
        assert_eq!(
            err.message(),
            "add: shapes [2, 3] and [4] cannot be broadcast together: the size of tensor a (3) \
             must match the size of tensor b (4) at non-singleton dimension 1"
        );
    }

    #[test]
    fn sum_to_shape_undoes_broadcasting() {
        let g = ArrayD::<f64>::ones(IxDyn(&[4, 5, 3]));
        assert_eq!(
            sum_to_shape(g.clone(), &[1, 3]),
            ArrayD::from_elem(IxDyn(&[1, 3]), 20.0)
        );
        assert_eq!(
            sum_to_shape(g.clone(), &[5, 1]),
            ArrayD::from_elem(IxDyn(&[5, 1]), 12.0)
        );
        assert_eq!(sum_to_shape(g, &[]), ArrayD::from_elem(IxDyn(&[]), 60.0));
    }

    #[test]
    fn reducing_a_view_gives_the_same_sums_as_reducing_the_array() {
        let g = ArrayD::from_shape_fn(IxDyn(&[4, 5, 3]), |p| (p[0] * 15 + p[1] * 3 + p[2]) as f64 * 0.1);
        for shape in [&[5, 3][..], &[1, 3], &[5, 1], &[4, 1, 3], &[], &[4, 5, 3]] {
            assert_eq!(
                reduce_to_shape(g.view(), shape),
                sum_to_shape(g.clone(), shape),
                "{shape:?}"
            );
            assert_eq!(reduce_to_shape(g.view(), shape).shape(), shape);
        }
    }
}
