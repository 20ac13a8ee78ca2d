// book/ch08-floating-point.md:295 (block `gradcheck-too-strict`): generated from the book: edit the chapter, not this file. fnv1a=361b4780567894de
fn main() {
use autograd::gradcheck::{gradcheck_with, Tolerances};
use ndarray::array;
let strict = Tolerances { eps: 1e-6, atol: 0.0, rtol: 1e-12 };
let report = gradcheck_with(|t| 1.0 / t[0], &[array![1.3].into_dyn()], strict).unwrap();
println!("{report}");
}
