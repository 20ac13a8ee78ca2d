//! One test per error: its [`ErrorKind`], its exact message, and (for the
//! operators that panic) that the panic carries the same message.
//!
//! Where PyTorch has a message for the same mistake the engine follows its
//! wording; the messages also name the operation and the shapes involved.

use autograd::gradcheck::gradcheck;
use autograd::tensor::{Indices, try_where, where_};
use autograd::{Error, ErrorKind, Graph, Tensor};
use ndarray::{array, s};

/// Asserts the kind and the whole message of an error.
#[track_caller]
fn assert_error<V: std::fmt::Debug>(result: Result<V, Error>, kind: ErrorKind, message: &str) {
    let err = result.expect_err("the operation should fail");
    assert_eq!(err.kind(), kind, "kind of {err}");
    assert_eq!(err.message(), message);
    assert_eq!(err.to_string(), message, "Display prints the message");
}

/// The standard broadcast mismatch: [2, 3] against [4].
fn broadcast_message(op: &str) -> String {
    format!(
        "{op}: shapes [2, 3] and [4] cannot be broadcast together: the size of tensor a (3) must match \
         the size of tensor b (4) at non-singleton dimension 1"
    )
}

// ---------------------------------------------------------------------------
// Broadcasting.
// ---------------------------------------------------------------------------

#[test]
fn broadcast_mismatch_in_each_binary_op() {
    let g = Graph::<f64>::new();
    let (a, b) = (g.ones(&[2, 3]), g.ones(&[4]));
    assert_error(a.try_add(b), ErrorKind::Shape, &broadcast_message("add"));
    assert_error(a.try_sub(b), ErrorKind::Shape, &broadcast_message("sub"));
    assert_error(a.try_mul(b), ErrorKind::Shape, &broadcast_message("mul"));
    assert_error(a.try_div(b), ErrorKind::Shape, &broadcast_message("div"));
}

#[test]
fn broadcast_mismatch_names_the_dimension_counted_in_the_result() {
    // [5, 3] and [2, 4, 1]: aligned at the right, the 5 meets the 4 at
    // dimension 1 of the 3-D result. PyTorch: "The size of tensor a (5) must
    // match the size of tensor b (4) at non-singleton dimension 1".
    let g = Graph::<f64>::new();
    assert_error(
        g.ones(&[5, 3]).try_mul(g.ones(&[2, 4, 1])),
        ErrorKind::Shape,
        "mul: shapes [5, 3] and [2, 4, 1] cannot be broadcast together: the size of tensor a (5) must \
         match the size of tensor b (4) at non-singleton dimension 1",
    );
}

#[test]
fn broadcast_mismatch_in_where() {
    let g = Graph::<f64>::new();
    let cond = g.ones(&[2, 3]);
    assert_error(
        try_where(cond, g.ones(&[4]), 0.0),
        ErrorKind::Shape,
        &broadcast_message("where"),
    );
    assert_error(
        try_where(cond, 1.0, g.ones(&[4])),
        ErrorKind::Shape,
        &broadcast_message("where"),
    );
}

#[test]
#[should_panic(
    expected = "add: shapes [2, 3] and [4] cannot be broadcast together: the size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"
)]
fn add_operator_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[2, 3]) + g.ones(&[4]);
}

#[test]
#[should_panic(expected = "sub: shapes [2, 3] and [4] cannot be broadcast together")]
fn sub_operator_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[2, 3]) - g.ones(&[4]);
}

#[test]
#[should_panic(expected = "mul: shapes [2, 3] and [4] cannot be broadcast together")]
#[allow(clippy::op_ref)] // the operator on references panics the same way
fn mul_operator_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let (a, b) = (g.ones(&[2, 3]), g.ones(&[4]));
    let _ = &a * &b;
}

#[test]
#[should_panic(expected = "div: shapes [2, 3] and [4] cannot be broadcast together")]
fn div_operator_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[2, 3]) / g.ones(&[4]);
}

#[test]
#[should_panic(expected = "gt: shapes [2, 3] and [4] cannot be broadcast together")]
fn gt_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[2, 3]).gt(g.ones(&[4]));
}

#[test]
#[should_panic(expected = "ge: shapes [2, 3] and [4] cannot be broadcast together")]
fn ge_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[2, 3]).ge(g.ones(&[4]));
}

#[test]
#[should_panic(expected = "lt: shapes [2, 3] and [4] cannot be broadcast together")]
fn lt_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[2, 3]).lt(g.ones(&[4]));
}

#[test]
#[should_panic(expected = "le: shapes [2, 3] and [4] cannot be broadcast together")]
fn le_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[2, 3]).le(g.ones(&[4]));
}

#[test]
#[should_panic(expected = "eq: shapes [2, 3] and [4] cannot be broadcast together")]
fn eq_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[2, 3]).eq(g.ones(&[4]));
}

#[test]
#[should_panic(expected = "ne: shapes [2, 3] and [4] cannot be broadcast together")]
fn ne_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[2, 3]).ne(g.ones(&[4]));
}

#[test]
#[should_panic(expected = "where: shapes [2, 3] and [4] cannot be broadcast together")]
fn where_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let _ = where_(g.ones(&[2, 3]), g.ones(&[4]), 0.0);
}

// ---------------------------------------------------------------------------
// Matrix products.
// ---------------------------------------------------------------------------

// PyTorch 2.15 prints "mm: mat1 and mat2 shapes cannot be multiplied (5x2
// and 3x3)"; the engine words the text after its prefix as PyTorch does and
// names the operation as the user called it, `matmul`.
#[track_caller]
fn assert_matmul_error<V: std::fmt::Debug>(result: Result<V, Error>, text: &str) {
    let err = result.expect_err("the product should fail");
    assert_eq!(err.kind(), ErrorKind::Shape);
    assert_eq!(err.message(), format!("matmul: {text}"));
}

#[test]
fn matmul_matrix_matrix_mismatch() {
    let g = Graph::<f64>::new();
    assert_matmul_error(
        g.ones(&[5, 2]).try_matmul(g.ones(&[3, 3])),
        "mat1 and mat2 shapes cannot be multiplied (5x2 and 3x3)",
    );
}

#[test]
#[should_panic(expected = "matmul: mat1 and mat2 shapes cannot be multiplied (5x2 and 3x3)")]
fn matmul_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[5, 2]).matmul(g.ones(&[3, 3]));
}

#[test]
fn matmul_matrix_vector_mismatch() {
    let g = Graph::<f64>::new();
    assert_matmul_error(
        g.ones(&[2, 3]).try_matmul(g.ones(&[4])),
        "mat1 and mat2 shapes cannot be multiplied (2x3 and 4)",
    );
}

#[test]
fn matmul_vector_matrix_mismatch() {
    let g = Graph::<f64>::new();
    assert_matmul_error(
        g.ones(&[4]).try_matmul(g.ones(&[2, 3])),
        "mat1 and mat2 shapes cannot be multiplied (4 and 2x3)",
    );
}

#[test]
fn dot_mismatch() {
    let g = Graph::<f64>::new();
    assert_error(
        g.ones(&[3]).try_matmul(g.ones(&[4])),
        ErrorKind::Shape,
        "dot: 1D tensors expected to have the same size, but got 3 and 4",
    );
}

#[test]
#[should_panic(expected = "dot: 1D tensors expected to have the same size, but got 3 and 4")]
fn dot_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[3]).matmul(g.ones(&[4]));
}

#[test]
fn matmul_needs_a_dimension_and_batches_must_fit() {
    let g = Graph::<f64>::new();
    assert_error(
        g.scalar(1.0).try_matmul(g.ones(&[2])),
        ErrorKind::Shape,
        "matmul: both arguments need at least 1 dimension, got shapes [] and [2]",
    );
    assert_error(
        g.ones(&[2, 3, 4]).try_matmul(g.ones(&[3, 5])),
        ErrorKind::Shape,
        "matmul: mat1 and mat2 shapes cannot be multiplied (3x4 and 3x5, in shapes [2, 3, 4] and [3, 5])",
    );
    assert_error(
        g.ones(&[2, 3, 4]).try_matmul(g.ones(&[3, 4, 5])),
        ErrorKind::Shape,
        "matmul: shapes [2] and [3] cannot be broadcast together: the size of tensor a (2) must match \
         the size of tensor b (3) at non-singleton dimension 0",
    );
}

#[test]
fn the_new_operations_name_themselves_and_the_shapes() {
    let g = Graph::<f64>::new();
    let x = g.ones(&[2, 3]);
    assert_error(
        g.ones(&[0]).try_max_all(),
        ErrorKind::Shape,
        "max_all(): expected reduction dim to be specified for an empty tensor (use max(dim, keepdim))",
    );
    assert_error(
        g.ones(&[2, 0]).try_min(1, false),
        ErrorKind::Shape,
        "min(): expected reduction dim 1 to have non-zero size (the tensor has shape [2, 0])",
    );
    assert_error(
        x.try_softmax(2),
        ErrorKind::OutOfRange,
        "softmax: dimension out of range (expected to be in range of [-2, 1], but got 2)",
    );
    assert_error(
        x.try_logsumexp([1, 1], false),
        ErrorKind::Invalid,
        "logsumexp: dim 1 appears multiple times in the list of dims",
    );
    assert_error(
        autograd::tensor::try_cat(&[x, g.ones(&[3, 3])], 1),
        ErrorKind::Shape,
        "cat: sizes of tensors must match except in dimension 1: tensor 0 has shape [2, 3], \
         tensor number 1 in the list has shape [3, 3]",
    );
    assert_error(
        autograd::tensor::try_cat::<f64>(&[], 0),
        ErrorKind::Invalid,
        "cat: expected a non-empty list of tensors",
    );
    assert_error(
        autograd::tensor::try_stack(&[x, g.ones(&[3, 2])], 0),
        ErrorKind::Shape,
        "stack: expects each tensor to be equal size, but got [2, 3] at entry 0 and [3, 2] at entry 1",
    );
    assert_error(
        x.try_narrow(1, 2, 2),
        ErrorKind::OutOfRange,
        "narrow: start (2) + length (2) exceeds dimension size (3) in dimension 1",
    );
    assert_error(
        x.try_unsqueeze(3),
        ErrorKind::OutOfRange,
        "unsqueeze: dimension out of range (expected to be in range of [-3, 2], but got 3)",
    );
    assert_error(
        x.try_expand([2, 4]),
        ErrorKind::Shape,
        "expand: the expanded size (4) must match the existing size (3) at non-singleton dimension 1; \
         target sizes [2, 4], tensor sizes [2, 3]",
    );
    assert_error(
        x.try_expand([-1, 2, 3]),
        ErrorKind::Shape,
        "expand: the size -1 isn't allowed in a leading, new dimension 0; target sizes [-1, 2, 3], tensor sizes [2, 3]",
    );
    assert_error(
        x.try_reshape([4, -1]),
        ErrorKind::Shape,
        "shape [4, -1] is invalid for input of size 6",
    );
    assert_error(
        x.try_reshape([-1, -1]),
        ErrorKind::Shape,
        "shape [-1, -1] is invalid for input of size 6: only one dimension can be inferred",
    );
}

#[test]
fn tensordot_mismatch() {
    let g = Graph::<f64>::new();
    assert_error(
        g.ones(&[2, 3]).try_tensordot(g.ones(&[4, 2]), 1),
        ErrorKind::Shape,
        "tensordot: contracted dimensions need the same sizes, got shapes [2, 3] and [4, 2] with dims=1",
    );
    assert_error(
        g.ones(&[3]).try_tensordot(g.ones(&[3, 2]), 2),
        ErrorKind::Shape,
        "tensordot: contracted dimensions need the same sizes, got shapes [3] and [3, 2] with dims=2",
    );
}

#[test]
#[should_panic(
    expected = "tensordot: contracted dimensions need the same sizes, got shapes [2, 3] and [4, 2] with dims=1"
)]
fn tensordot_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[2, 3]).tensordot(g.ones(&[4, 2]), 1);
}

// ---------------------------------------------------------------------------
// Shapes, axes and indices.
// ---------------------------------------------------------------------------

#[test]
fn reshape_to_a_different_size() {
    let g = Graph::<f64>::new();
    assert_error(
        g.ones(&[2, 3]).try_reshape([4, 2]),
        ErrorKind::Shape,
        "shape [4, 2] is invalid for input of size 6",
    );
    assert_error(
        g.from_vec(&[4, 2], vec![0.0; 6]),
        ErrorKind::Shape,
        "shape [4, 2] is invalid for input of size 6",
    );
}

#[test]
#[should_panic(expected = "shape [4, 2] is invalid for input of size 6")]
fn reshape_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[2, 3]).reshape([4, 2]);
}

#[test]
fn bad_dims_for_sum_and_mean() {
    let g = Graph::<f64>::new();
    let x = g.ones(&[2, 3]);
    assert_error(
        x.try_sum(2, false),
        ErrorKind::OutOfRange,
        "sum: dimension out of range (expected to be in range of [-2, 1], but got 2)",
    );
    assert_error(
        x.try_mean(5, true),
        ErrorKind::OutOfRange,
        "mean: dimension out of range (expected to be in range of [-2, 1], but got 5)",
    );
    assert_error(
        g.scalar(1.0).try_sum(1, false),
        ErrorKind::OutOfRange,
        "sum: dimension out of range (expected to be in range of [-1, 0], but got 1)",
    );
    assert_error(
        x.try_sum([0, -2], false),
        ErrorKind::Invalid,
        "sum: dim 0 appears multiple times in the list of dims",
    );
    assert_error(
        x.try_mean(Vec::<i32>::new(), false),
        ErrorKind::Invalid,
        "mean: no dimension given (to reduce over all of them, call mean_all())",
    );
}

#[test]
#[should_panic(expected = "sum: dimension out of range (expected to be in range of [-2, 1], but got 2)")]
fn sum_dim_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[2, 3]).sum(2, false);
}

#[test]
#[should_panic(expected = "mean: dimension out of range (expected to be in range of [-2, 1], but got 2)")]
fn mean_dim_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[2, 3]).mean(2, false);
}

#[test]
fn bad_axis_for_transpose() {
    let g = Graph::<f64>::new();
    let x = g.ones(&[2, 3]);
    let message = "transpose: dimension out of range (expected to be in range of [-2, 1], but got 2)";
    assert_error(x.try_transpose(0, 2), ErrorKind::OutOfRange, message);
    assert_error(x.try_transpose(2, 0), ErrorKind::OutOfRange, message);
}

#[test]
#[should_panic(expected = "transpose: dimension out of range (expected to be in range of [-2, 1], but got 2)")]
fn transpose_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[2, 3]).transpose(0, 2);
}

#[test]
#[should_panic(expected = "t() expects a tensor with <= 2 dimensions, but self is 3D")]
fn t_of_a_3d_tensor_panics() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[2, 3, 4]).t();
}

#[test]
fn bad_axis_and_index_for_index_select() {
    let g = Graph::<f64>::new();
    let x = g.ones(&[2, 3]);
    assert_error(
        x.try_index_select(2, &[0]),
        ErrorKind::OutOfRange,
        "index_select: dimension out of range (expected to be in range of [-2, 1], but got 2)",
    );
    assert_error(
        x.try_index_select(1, &[0, 3]),
        ErrorKind::OutOfRange,
        "index_select: index 3 is out of range for dimension 1 with size 3",
    );
}

#[test]
#[should_panic(expected = "index_select: index 3 is out of range for dimension 1 with size 3")]
fn index_select_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[2, 3]).index_select(1, &[3]);
}

#[test]
fn bad_axis_index_and_shape_for_gather() {
    let g = Graph::<f64>::new();
    let x = g.ones(&[2, 3]);
    let ok_shape = Indices::from(array![[0usize], [1]]);
    assert_error(
        x.try_gather(2, &ok_shape),
        ErrorKind::OutOfRange,
        "gather: dimension out of range (expected to be in range of [-2, 1], but got 2)",
    );
    assert_error(
        x.try_gather(1, &Indices::from(array![[0usize, 3]])),
        ErrorKind::OutOfRange,
        "gather: index 3 is out of bounds for dimension 1 with size 3",
    );
    assert_error(
        x.try_gather(1, &Indices::from(vec![0usize, 1])),
        ErrorKind::Shape,
        "gather: index of shape [2] does not fit input of shape [2, 3] along axis 1",
    );
    assert_error(
        x.try_gather(1, &Indices::from(array![[0usize], [1], [2]])),
        ErrorKind::Shape,
        "gather: index of shape [3, 1] does not fit input of shape [2, 3] along axis 1",
    );
}

#[test]
#[should_panic(expected = "gather: index 3 is out of bounds for dimension 1 with size 3")]
fn gather_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[2, 3]).gather(1, &Indices::from(array![[3usize]]));
}

#[test]
fn at_out_of_range() {
    let g = Graph::<f64>::new();
    let x = g.ones(&[2, 3]);
    // PyTorch: a[2] → "index 2 is out of bounds for dimension 0 with size 2".
    assert_error(
        x.try_at(&[2, 0]),
        ErrorKind::OutOfRange,
        "index 2 is out of bounds for dimension 0 with size 2",
    );
    assert_error(
        x.try_at(&[0, 5]),
        ErrorKind::OutOfRange,
        "index 5 is out of bounds for dimension 1 with size 3",
    );
    assert_error(
        x.try_at(&[0, 0, 0]),
        ErrorKind::OutOfRange,
        "too many indices for tensor of dimension 2: got 3",
    );
}

#[test]
#[should_panic(expected = "index 5 is out of bounds for dimension 1 with size 3")]
fn at_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[2, 3]).at(&[0, 5]);
}

#[test]
fn slice_out_of_range() {
    // PyTorch clamps slice bounds (a[0:5] of 2 rows is both rows); the engine
    // refuses them, so a typo cannot silently select less than was written.
    let g = Graph::<f64>::new();
    let x = g.ones(&[2, 3]);
    assert_error(
        x.try_slice(s![0..5, ..]),
        ErrorKind::OutOfRange,
        "slice 0..5 step 1 is out of bounds for dimension 0 with size 2",
    );
    assert_error(
        x.try_slice(s![.., 4..]),
        ErrorKind::OutOfRange,
        "slice 4.. step 1 is out of bounds for dimension 1 with size 3",
    );
    assert_error(
        x.try_slice(s![-3, ..]),
        ErrorKind::OutOfRange,
        "index -3 is out of bounds for dimension 0 with size 2",
    );
    assert_error(
        x.try_slice(s![0, 0, 0]),
        ErrorKind::OutOfRange,
        "too many indices for tensor of dimension 2: got 3",
    );
}

#[test]
#[should_panic(expected = "slice 0..5 step 1 is out of bounds for dimension 0 with size 2")]
fn slice_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[2, 3]).slice(s![0..5, ..]);
}

#[test]
fn topk_with_k_larger_than_the_size() {
    let g = Graph::<f64>::new();
    assert_error(
        g.ones(&[2, 3]).try_topk(4),
        ErrorKind::OutOfRange,
        "topk: selected index k out of range (k = 4, but the last dimension has size 3)",
    );
    assert_error(
        g.scalar(1.0).try_topk(1),
        ErrorKind::OutOfRange,
        "topk: the tensor has no dimension to select along",
    );
    // k equal to the size is fine.
    assert_eq!(g.ones(&[2, 3]).try_topk(3).unwrap().1.to_vec(), vec![0, 1, 2, 0, 1, 2]);
}

#[test]
#[should_panic(expected = "topk: selected index k out of range (k = 4, but the last dimension has size 3)")]
fn topk_panics_with_the_message() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[3]).topk(4);
}

// ---------------------------------------------------------------------------
// Backward.
// ---------------------------------------------------------------------------

#[test]
fn backward_on_a_non_scalar() {
    let g = Graph::<f64>::new();
    let x = g.ones(&[2, 3]).requires_grad();
    let y = x * 2.0;
    assert_error(
        y.backward(),
        ErrorKind::NonScalarBackward,
        "grad can be implicitly created only for scalar outputs \
         (this output has shape [2, 3]: pass an upstream gradient of that shape to backward_with)",
    );
    assert!(x.grad().is_none(), "a refused backward leaves no gradient");
    // One element of any rank is fine, as in PyTorch.
    let one = g.ones(&[1, 1]).requires_grad();
    (one * 3.0).backward().unwrap();
    assert_eq!(one.grad_array().unwrap(), array![[3.0]].into_dyn());
}

#[test]
fn backward_with_a_wrong_upstream_shape() {
    let g = Graph::<f64>::new();
    let x = g.ones(&[2, 3]).requires_grad();
    let y = x * 2.0;
    assert_error(
        y.backward_with(g.ones(&[3])),
        ErrorKind::UpstreamShape,
        "Mismatch in shape: upstream gradient has a shape of [3] and output has a shape of [2, 3]",
    );
    // Broadcastable is not enough: the shape must be the output's.
    assert_error(
        y.backward_with(g.ones(&[1, 3])),
        ErrorKind::UpstreamShape,
        "Mismatch in shape: upstream gradient has a shape of [1, 3] and output has a shape of [2, 3]",
    );
    assert!(x.grad().is_none());
}

#[test]
fn backward_on_a_tensor_that_does_not_require_grad() {
    let g = Graph::<f64>::new();
    let message = "element 0 of tensors does not require grad and does not have a grad_fn";
    let x = g.tensor([1.0, 2.0]);
    assert_error(x.sum_all().backward(), ErrorKind::NoGrad, message);
    assert_error((x * x).backward_with(g.ones(&[2])), ErrorKind::NoGrad, message);
    // A detached result, or one computed under no_grad, is the same case.
    let w = g.tensor([1.0, 2.0]).requires_grad();
    assert_error(w.sum_all().detach().backward(), ErrorKind::NoGrad, message);
    assert_error(g.no_grad(|| w.sum_all()).backward(), ErrorKind::NoGrad, message);
}

#[test]
fn gradcheck_reports_an_output_that_does_not_depend_on_the_inputs() {
    let err = gradcheck(|x| x[0].detach() * 2.0, &[array![1.0, 2.0].into_dyn()]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoGrad);
}

// ---------------------------------------------------------------------------
// Tensors of two graphs.
// ---------------------------------------------------------------------------

#[test]
fn tensors_of_two_graphs() {
    let (g1, g2) = (Graph::<f64>::new(), Graph::<f64>::new());
    let (a, b) = (g1.ones(&[2]), g2.ones(&[2]));
    let two = |op: &str| format!("{op}: the tensors belong to different graphs");
    assert_error(a.try_add(b), ErrorKind::Invalid, &two("add"));
    assert_error(a.try_sub(b), ErrorKind::Invalid, &two("sub"));
    assert_error(a.try_mul(b), ErrorKind::Invalid, &two("mul"));
    assert_error(a.try_div(b), ErrorKind::Invalid, &two("div"));
    assert_error(a.try_matmul(b), ErrorKind::Invalid, &two("matmul"));
    assert_error(try_where(a, a, b), ErrorKind::Invalid, &two("where"));
    let y = g1.ones(&[2]).requires_grad() * 2.0;
    assert_error(y.backward_with(b), ErrorKind::Invalid, &two("backward_with"));
}

#[test]
fn tensordot_of_two_graphs() {
    let (g1, g2) = (Graph::<f64>::new(), Graph::<f64>::new());
    let err = g1.ones(&[2, 3]).try_tensordot(g2.ones(&[3, 2]), 1).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(
        err.message().contains("the tensors belong to different graphs"),
        "{err}"
    );
}

#[test]
#[should_panic(expected = "add: the tensors belong to different graphs")]
fn operator_on_two_graphs_panics_with_the_message() {
    let (g1, g2) = (Graph::<f64>::new(), Graph::<f64>::new());
    let _ = g1.ones(&[2]) + g2.ones(&[2]);
}

// ---------------------------------------------------------------------------
// Misuse that panics (no fallible form).
// ---------------------------------------------------------------------------

#[test]
#[should_panic(expected = "a Tensor with 3 elements cannot be converted to Scalar")]
fn item_of_a_vector_panics() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[3]).item();
}

#[test]
#[should_panic(expected = "you can only change requires_grad flags of leaf variables")]
fn requires_grad_on_a_non_leaf_panics() {
    let g = Graph::<f64>::new();
    let x = g.ones(&[2]).requires_grad();
    let _ = (x * 2.0).requires_grad();
}

#[test]
#[should_panic(expected = "only tensors of floating point dtype can require gradients")]
fn requires_grad_on_a_mask_panics() {
    let g = Graph::<f64>::new();
    let _ = g.ones(&[2]).gt(0.0).requires_grad();
}

#[test]
#[should_panic(expected = "can't retain_grad on Tensor that has requires_grad=False")]
fn retain_grad_without_requires_grad_panics() {
    let g = Graph::<f64>::new();
    let _ = (g.ones(&[2]) * 2.0).retain_grad();
}

#[test]
fn errors_are_values_that_compare_and_print() {
    let g = Graph::<f64>::new();
    let e1 = g.ones(&[2, 3]).try_add(g.ones(&[4])).unwrap_err();
    let e2 = g.ones(&[2, 3]).try_add(g.ones(&[4])).unwrap_err();
    assert_eq!(e1, e2);
    let boxed: Box<dyn std::error::Error> = Box::new(e1);
    assert_eq!(boxed.to_string(), broadcast_message("add"));
    // A failed operation leaves the tensors usable.
    let x: Tensor<'_, f64> = g.ones(&[2, 3]);
    assert!(x.try_reshape([4]).is_err());
    assert_eq!(x.reshape([6]).shape(), vec![6]);
}

#[test]
fn an_operators_panic_points_at_the_callers_line() {
    // The panic is reported where the user wrote `a + b`, not inside the engine.
    let location = std::sync::Arc::new(std::sync::Mutex::new(None));
    let seen = std::sync::Arc::clone(&location);
    // The hook is process-wide and other tests panic on other threads:
    // record only this thread's panic.
    let this_thread = std::thread::current().id();
    let previous = std::sync::Arc::new(std::panic::take_hook());
    let others = std::sync::Arc::clone(&previous);
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == this_thread {
            *seen.lock().unwrap() = info.location().map(|l| (l.file().to_string(), l.line()));
        } else {
            others(info);
        }
    }));
    let line = line!() + 3;
    let result = std::panic::catch_unwind(|| {
        let g = Graph::<f64>::new();
        let _ = g.ones(&[2, 3]) + g.ones(&[4]);
    });
    let _ = std::panic::take_hook(); // this test's hook, replaced by the default
    drop(previous);
    assert!(result.is_err());
    let (file, at) = location.lock().unwrap().clone().expect("a location");
    assert!(file.ends_with("tests/errors.rs"), "{file}");
    assert_eq!(at, line);
}

#[test]
#[should_panic(expected = "ExpBackward0: the graph is in use: a `value()` of one of its tensors is still held")]
fn recording_while_a_value_is_held_names_the_operation() {
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 2.0]).requires_grad();
    let held = x.value();
    let _ = x.exp(); // records while `held` borrows the graph
    drop(held);
}

#[test]
fn integers_work_as_numbers_on_either_side_of_an_operator() {
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 2.0, 4.0]).requires_grad();
    let y = (x * 3 + 1) / 2 - 1 + (2 - x) * (1 / x);
    let expected = (x * 3.0 + 1.0) / 2.0 - 1.0 + (2.0 - x) * (1.0 / x);
    assert_eq!(y.to_array(), expected.to_array());
    let f32_graph = Graph::<f32>::new();
    let z = f32_graph.tensor([2.0f32]) * 3;
    assert_eq!(z.to_string(), "tensor([6.])");
}

#[test]
fn ndarray_is_re_exported_for_arrays_in_and_out() {
    let g = Graph::<f64>::new();
    let t = g.tensor(autograd::ndarray::array![1.0, 2.0]);
    let back: autograd::ndarray::ArrayD<f64> = t.to_array();
    assert_eq!(back.len(), 2);
}

#[test]
fn nested_vecs_make_a_matrix_and_to_vec_reads_it_back() {
    let g = Graph::<f64>::new();
    let m = g.tensor(vec![vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]]);
    assert_eq!(m.shape(), [2, 3]);
    assert_eq!(m.to_vec(), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(g.tensor(Vec::<Vec<f64>>::new()).shape(), [0, 0]);
}

#[test]
#[should_panic(expected = "expected sequence of length 3 at dim 1 (got 2)")]
fn ragged_rows_are_an_error_with_pytorchs_message() {
    let g = Graph::<f64>::new();
    let _ = g.tensor(vec![vec![1.0, 2.0, 3.0], vec![4.0, 5.0]]);
}
