//! What a tensor can be made from: [`IntoArray`], for ndarray arrays of any
//! dimension (owned, borrowed or shared), `Vec`s, slices, (nested)
//! fixed-size arrays and single numbers. A shared array (`ArcArray`) is
//! taken as it is, so bringing a persistent parameter into a fresh graph
//! copies nothing.

// ANCHOR: into-array
// ANCHOR: into-array-import-shared
use ndarray::ArcArray;
// ANCHOR_END: into-array-import-shared
use ndarray::ArrayD;

use super::SharedArray;
use crate::element::Element;

/// Data a tensor can be made from: ndarray arrays of any dimension (owned,
/// borrowed or shared), `Vec`s, slices, (nested) fixed-size arrays and single
/// numbers.
pub trait IntoArray<T: Element> {
    /// Converts into an owned n-dimensional array.
    fn into_array(self) -> ArrayD<T>;

    /// Converts into a shared array; only shared arrays skip the copy.
    fn into_shared(self) -> SharedArray<T>
    where
        Self: Sized,
    {
        self.into_array().into_shared()
    }
}
// ANCHOR_END: into-array

// ANCHOR: into-array-shared
impl<T: Element, D: ndarray::Dimension> IntoArray<T> for ArcArray<T, D> {
    fn into_array(self) -> ArrayD<T> {
        self.into_owned().into_dyn()
    }
    fn into_shared(self) -> SharedArray<T> {
        self.into_dyn()
    }
}

impl<T: Element, D: ndarray::Dimension> IntoArray<T> for &ArcArray<T, D> {
    fn into_array(self) -> ArrayD<T> {
        self.to_owned().into_dyn()
    }
    fn into_shared(self) -> SharedArray<T> {
        self.clone().into_dyn()
    }
}
// ANCHOR_END: into-array-shared

// ANCHOR: into-array-owned
impl<T: Element, D: ndarray::Dimension> IntoArray<T> for ndarray::Array<T, D> {
    fn into_array(self) -> ArrayD<T> {
        self.into_dyn()
    }
}

impl<T: Element, D: ndarray::Dimension> IntoArray<T> for &ndarray::Array<T, D> {
    fn into_array(self) -> ArrayD<T> {
        self.clone().into_dyn()
    }
}

impl<T: Element> IntoArray<T> for Vec<T> {
    fn into_array(self) -> ArrayD<T> {
        ndarray::Array1::from(self).into_dyn()
    }
}
// ANCHOR_END: into-array-owned

// ANCHOR: into-array-rows
/// Rows, as a JSON reader returns a matrix: a 2-D tensor.
///
/// # Panics
/// If the rows differ in length, with PyTorch's message.
impl<T: Element> IntoArray<T> for Vec<Vec<T>> {
    #[track_caller]
    fn into_array(self) -> ArrayD<T> {
        let columns = self.first().map_or(0, Vec::len);
        if let Some(row) = self.iter().find(|row| row.len() != columns) {
            panic!("expected sequence of length {columns} at dim 1 (got {})", row.len());
        }
        let rows = self.len();
        let data: Vec<T> = self.into_iter().flatten().collect();
        ArrayD::from_shape_vec(ndarray::IxDyn(&[rows, columns]), data).expect("rows of equal length")
    }
}
// ANCHOR_END: into-array-rows

// ANCHOR: into-array-literals
impl<T: Element> IntoArray<T> for &[T] {
    fn into_array(self) -> ArrayD<T> {
        ndarray::Array1::from(self.to_vec()).into_dyn()
    }
}

impl<T: Element, const N: usize> IntoArray<T> for [T; N] {
    fn into_array(self) -> ArrayD<T> {
        ndarray::Array1::from(self.to_vec()).into_dyn()
    }
}

impl<T: Element, const M: usize, const N: usize> IntoArray<T> for [[T; N]; M] {
    fn into_array(self) -> ArrayD<T> {
        ndarray::Array2::from(self.to_vec()).into_dyn()
    }
}

macro_rules! scalar_into_array {
    ($($t:ty),*) => {$(
        impl IntoArray<$t> for $t {
            fn into_array(self) -> ArrayD<$t> {
                ndarray::arr0(self).into_dyn()
            }
        }
    )*};
}
scalar_into_array!(f32, f64);
// ANCHOR_END: into-array-literals
