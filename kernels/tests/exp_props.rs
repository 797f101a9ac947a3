//! Property tests of the rr2_p5 `exp` over arbitrary f32 input, NaN and infinities included (native only).
#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use softscope_kernels::exp::{exp_neg, exp_neg_scalar};

proptest! {
    #[test]
    fn output_is_a_probability_weight_or_nan_exactly_when_input_is_nan(
        xs in proptest::collection::vec(any::<f32>(), 1..300)
    ) {
        let mut ys = vec![0.0; xs.len()];
        exp_neg(&xs, &mut ys).unwrap();
        for (x, y) in xs.iter().zip(&ys) {
            prop_assert_eq!(x.is_nan(), y.is_nan(), "exp({:e}) = {:e}", x, y);
            if !y.is_nan() {
                prop_assert!((0.0..=1.0).contains(y), "exp({:e}) = {:e}", x, y);
            }
        }
    }

    #[test]
    fn exp_of_a_sum_is_the_product_of_exps(a in -40.0f32..0.0, b in -40.0f32..0.0) {
        let lhs = exp_neg_scalar(a + b) as f64;
        let rhs = exp_neg_scalar(a) as f64 * exp_neg_scalar(b) as f64;
        // Each factor is within 2.5 ULP and the sum a + b carries its own rounding: allow a loose relative bound.
        let tolerance = 1e-6 * (1.0 + 80.0 * (a + b).abs() as f64);
        prop_assert!((lhs - rhs).abs() <= tolerance * rhs, "exp({a}+{b}): {lhs:e} vs {rhs:e}");
    }
}
