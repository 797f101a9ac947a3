//! The rr2_p5 `exp`: accuracy against f64, special values, and SIMD128 bit-identity with the scalar twin.
#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softscope_kernels::exp::{exp_neg, exp_neg_scalar, exp_neg_scalar_slice, DENORMAL_CUTOFF};
use softscope_kernels::rng::SplitMix64;
use softscope_kernels::KernelError;

/// Error of `got` in units of the f32 spacing at the exact value.
fn ulp_error(got: f32, exact: f64) -> f64 {
    let rounded = exact as f32;
    let ulp = f32::from_bits(rounded.to_bits() + 1) as f64 - rounded as f64;
    (got as f64 - exact).abs() / ulp
}

/// Seeded inputs that cover the domain both uniformly in value and uniformly in bit pattern, plus every edge.
fn sample_inputs(count: usize) -> Vec<f32> {
    let mut rng = SplitMix64::new(2024);
    let lowest_bits = 87.4f32.to_bits();
    let mut xs: Vec<f32> = (0..count)
        .map(|i| {
            if i % 2 == 0 {
                rng.uniform(-90.0, 0.0) as f32
            } else {
                -f32::from_bits((rng.next_u64() % lowest_bits as u64) as u32)
            }
        })
        .collect();
    xs.extend_from_slice(&special_inputs());
    xs
}

fn special_inputs() -> Vec<f32> {
    vec![
        0.0,
        -0.0,
        DENORMAL_CUTOFF,
        f32::from_bits(DENORMAL_CUTOFF.to_bits() - 1), // just above the cutoff: still a normal result
        f32::from_bits(DENORMAL_CUTOFF.to_bits() + 1), // just below: flushed to zero
        -103.9,
        -1.0e30,
        f32::NEG_INFINITY,
        f32::NAN,
        f32::MIN_POSITIVE,
        -f32::MIN_POSITIVE,
        -1.0e-45,
        1.0,
        88.8,
        f32::INFINITY,
    ]
}

#[test]
fn special_values_follow_the_documented_policy() {
    assert_eq!(exp_neg_scalar(0.0).to_bits(), 1.0f32.to_bits());
    assert_eq!(exp_neg_scalar(-0.0).to_bits(), 1.0f32.to_bits());
    assert_eq!(exp_neg_scalar(f32::NEG_INFINITY).to_bits(), 0.0f32.to_bits());
    assert!(exp_neg_scalar(f32::NAN).is_nan());
    // Below the cutoff exp would be subnormal: flushed to +0.
    assert_eq!(exp_neg_scalar(f32::from_bits(DENORMAL_CUTOFF.to_bits() + 1)), 0.0);
    assert_eq!(exp_neg_scalar(-87.5), 0.0);
    // At the cutoff the result is the smallest normal region: exp(−87.336 54) ≈ 1.1755e-38.
    let at_cutoff = exp_neg_scalar(DENORMAL_CUTOFF);
    assert!(at_cutoff.is_normal(), "{at_cutoff:e}");
    // Positive inputs saturate at exp(0) = 1 rather than wrapping the exponent field.
    assert_eq!(exp_neg_scalar(1.0), 1.0);
    assert_eq!(exp_neg_scalar(88.8), 1.0);
    assert_eq!(exp_neg_scalar(f32::INFINITY), 1.0);
}

#[test]
fn golden_bits_from_the_reference_emulation() {
    // ALGORITHMS.md §1.5: bit-level emulation of XNNPACK's non-FMA rr2_p5.
    assert_eq!(exp_neg_scalar(-1.0).to_bits(), 0x3EBC_5AB3); // correctly rounded …B2: 1.31 ULP
    assert_eq!(exp_neg_scalar(-0.5).to_bits(), 0x3F1B_4597); // correctly rounded …98: 0.89 ULP
    assert_eq!(exp_neg_scalar(-10.0).to_bits(), 0x383E_6BCF); // correctly rounded …CE
}

#[test]
fn sampled_inputs_stay_within_2_5_ulp() {
    for x in sample_inputs(200_000) {
        if !(DENORMAL_CUTOFF..=0.0).contains(&x) {
            continue;
        }
        let err = ulp_error(exp_neg_scalar(x), (x as f64).exp());
        assert!(err <= 2.5, "exp({x:e}) is {err:.3} ULP off");
    }
}

/// Every f32 in [−87.3, 0], about 1.1·10⁹ inputs: the bound holds for the whole domain, not a sample.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn every_f32_in_the_domain_stays_within_2_5_ulp() {
    let last = 87.3f32.to_bits();
    let worst = (0..=last)
        .map(|bits| {
            let x = -f32::from_bits(bits);
            (ulp_error(exp_neg_scalar(x), (x as f64).exp()), x)
        })
        .fold((0.0, 0.0f32), |a, b| if b.0 > a.0 { b } else { a });
    assert!(worst.0 <= 2.5, "worst: exp({:e}) is {:.3} ULP off", worst.1, worst.0);
    // The bound is tight enough to mean something: the scheme is known to reach ≈ 2.2 ULP without FMA.
    assert!(worst.0 > 1.5, "worst error {:.3} ULP is suspiciously small", worst.0);
}

#[test]
fn dispatching_kernel_is_bit_identical_to_the_scalar_twin() {
    // Lengths around the 16-element unrolled block exercise the vector body and every tail length.
    let all = sample_inputs(100_003);
    for len in [1, 3, 4, 5, 15, 16, 17, 31, 33, 64, 100_003 + special_inputs().len()] {
        let xs = &all[all.len() - len..];
        let mut fast = vec![0.0; len];
        let mut reference = vec![0.0; len];
        exp_neg(xs, &mut fast).unwrap();
        exp_neg_scalar_slice(xs, &mut reference).unwrap();
        for ((x, a), b) in xs.iter().zip(&fast).zip(&reference) {
            assert!(a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()), "exp({x:e}): {a:e} vs {b:e}");
        }
    }
}

/// On wasm this runs the SIMD128 kernel over a strided sweep of the whole domain, one vector at a time.
#[test]
fn strided_sweep_is_bit_identical_to_the_scalar_twin() {
    let last = 87.3f32.to_bits();
    let xs: Vec<f32> = (0..=last).step_by(997).map(|b| -f32::from_bits(b)).collect();
    let mut fast = vec![0.0; xs.len()];
    exp_neg(&xs, &mut fast).unwrap();
    for (x, y) in xs.iter().zip(&fast) {
        assert_eq!(y.to_bits(), exp_neg_scalar(*x).to_bits(), "exp({x:e})");
    }
}

#[test]
fn bad_shapes_are_typed_errors() {
    let mut out = [0.0; 2];
    assert_eq!(exp_neg(&[], &mut []), Err(KernelError::Empty));
    assert_eq!(exp_neg(&[0.0; 3], &mut out), Err(KernelError::LengthMismatch { input: 3, output: 2 }));
    assert_eq!(exp_neg_scalar_slice(&[], &mut []), Err(KernelError::Empty));
}

// Guards the tier-2 run: on wasm32 these tests must exercise the SIMD128 kernel, not fall back to the twin.
#[cfg(all(target_arch = "wasm32", not(target_feature = "simd128")))]
compile_error!("build the wasm tests with -C target-feature=+simd128 (see .cargo/config.toml)");
