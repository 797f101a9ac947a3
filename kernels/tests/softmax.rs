//! Softmax algorithms against an f64 oracle, the hand-checked fixtures, edge inputs, and SIMD128 = scalar twin.
#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softscope_kernels::rng::SplitMix64;
use softscope_kernels::softmax::{
    log_softmax, log_softmax_scalar, logsumexp, logsumexp_scalar, softmax, softmax_rows, softmax_rows_scalar,
    softmax_scalar, softmax_with_temperature, Algorithm,
};
use softscope_kernels::KernelError;

fn oracle(x: &[f32]) -> Vec<f64> {
    let m = x.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(f64::from(v)));
    let e: Vec<f64> = x.iter().map(|&v| (f64::from(v) - m).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

fn logits(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = SplitMix64::new(seed);
    (0..n).map(|_| (4.0 * rng.normal()) as f32).collect()
}

fn run(x: &[f32], algorithm: Algorithm) -> Vec<f32> {
    let mut y = vec![0.0; x.len()];
    softmax(x, &mut y, algorithm).unwrap();
    y
}

fn max_relative_error(y: &[f32], p: &[f64]) -> f64 {
    y.iter().zip(p).map(|(&y, &p)| (f64::from(y) - p).abs() / p).fold(0.0, f64::max)
}

const SIZES: [usize; 7] = [1, 3, 4, 5, 17, 1000, 65537];

#[test]
fn every_algorithm_is_within_2e_6_of_the_f64_oracle_and_sums_to_one() {
    for algorithm in Algorithm::ALL {
        for (seed, n) in SIZES.into_iter().enumerate() {
            let x = logits(n, seed as u64);
            let y = run(&x, algorithm);
            let error = max_relative_error(&y, &oracle(&x));
            assert!(error <= 2e-6, "{algorithm:?} n = {n}: max relative error {error:e}");
            let sum: f64 = y.iter().map(|&v| f64::from(v)).sum();
            assert!((sum - 1.0).abs() <= n as f64 * f64::from(f32::EPSILON), "{algorithm:?} n = {n}: Σ = {sum}");
        }
    }
}

#[test]
fn shifting_the_logits_changes_nothing() {
    for algorithm in Algorithm::ALL {
        let x = logits(1000, 9);
        let p = oracle(&x);
        for shift in [-1000.0f32, -3.5, 0.25, 1000.0] {
            let shifted: Vec<f32> = x.iter().map(|v| v + shift).collect();
            // The shifted logits are themselves rounded: compare against their own oracle, and to the unshifted.
            let error = max_relative_error(&run(&shifted, algorithm), &oracle(&shifted));
            assert!(error <= 2e-6, "{algorithm:?} shift {shift}: {error:e}");
            let drift = max_relative_error(&run(&shifted, algorithm), &p);
            assert!(drift <= 1e-3, "{algorithm:?} shift {shift}: {drift:e} from the unshifted result");
        }
    }
}

#[test]
fn hand_checked_fixtures() {
    // ALGORITHMS.md §1.7.
    for algorithm in Algorithm::ALL {
        for (x, want) in [
            ([1.0f32, 2.0, 3.0], [0.090031, 0.244728, 0.665241]),
            ([1001.0, 1002.0, 1003.0], [0.090031, 0.244728, 0.665241]),
        ] {
            let y = run(&x, algorithm);
            for (y, w) in y.iter().zip(want) {
                assert!((f64::from(*y) - w).abs() < 1e-6, "{algorithm:?} {x:?}: {y} vs {w}");
            }
        }
    }
    let mut y = [0.0f32; 3];
    log_softmax(&[1.0, 2.0, 3.0], &mut y).unwrap();
    for (y, w) in y.iter().zip([-2.407606, -1.407606, -0.407606]) {
        assert!((f64::from(*y) - w).abs() < 1e-6, "{y} vs {w}");
    }
    assert!((f64::from(logsumexp(&[1.0, 2.0, 3.0]).unwrap()) - 3.407606).abs() < 1e-6);
    let mut scratch = [0.0f32; 3];
    for (t, want) in [(0.5f32, [0.015876, 0.117310, 0.866813]), (2.0, [0.186324, 0.307196, 0.506480])] {
        softmax_with_temperature(&[1.0, 2.0, 3.0], t, &mut scratch, &mut y, Algorithm::ThreePassReload).unwrap();
        for (y, w) in y.iter().zip(want) {
            assert!((f64::from(*y) - w).abs() < 1e-6, "T = {t}: {y} vs {w}");
        }
    }
}

#[test]
fn edge_inputs_follow_the_documented_policy() {
    for algorithm in Algorithm::ALL {
        let nan = run(&[1.0, f32::NAN, 3.0], algorithm);
        assert!(nan.iter().all(|v| v.is_nan()), "{algorithm:?}: {nan:?}");
        assert_eq!(run(&[1.0, f32::INFINITY, 3.0, f32::INFINITY], algorithm), [0.0, 0.5, 0.0, 0.5], "{algorithm:?}");
        let mixed = run(&[f32::INFINITY, f32::NAN], algorithm);
        assert!(mixed.iter().all(|v| v.is_nan()), "{algorithm:?}: NaN wins over +∞");
        assert!(run(&[f32::NEG_INFINITY; 5], algorithm).iter().all(|v| v.is_nan()), "{algorithm:?}");
        assert_eq!(run(&[f32::NEG_INFINITY, 0.0, f32::NEG_INFINITY], algorithm), [0.0, 1.0, 0.0], "{algorithm:?}");
        // n = 1: exactly 1 except that two-pass computes μ·(1/μ), which may round to 1 − 2⁻²⁴.
        assert!((run(&[42.0], algorithm)[0] - 1.0).abs() <= f32::EPSILON / 2.0, "{algorithm:?}");
        let tiny = run(&[1e-40, -1e-40, 0.0, f32::MIN_POSITIVE], algorithm);
        assert!(tiny.iter().all(|&v| (v - 0.25).abs() < 1e-7), "{algorithm:?}: {tiny:?}");
        // A huge spread: the far entries underflow to exactly 0, the rest still sum to 1.
        let spread = run(&[0.0, -200.0, -1e30, 5.0], algorithm);
        assert_eq!(&spread[1..3], &[0.0, 0.0], "{algorithm:?}: {spread:?}");
        assert!((spread[0] + spread[3] - 1.0).abs() < 1e-6);
    }
    let mut y = [0.0f32; 3];
    log_softmax(&[f32::NEG_INFINITY, 0.0, 0.0], &mut y).unwrap();
    assert_eq!(y[0], f32::NEG_INFINITY);
    assert!((y[1] + std::f32::consts::LN_2).abs() < 1e-7);
    assert_eq!(logsumexp(&[f32::NEG_INFINITY; 2]).unwrap(), f32::NEG_INFINITY);
    assert_eq!(logsumexp(&[1.0, f32::INFINITY]).unwrap(), f32::INFINITY);
    assert!(logsumexp(&[1.0, f32::NAN]).unwrap().is_nan());
    assert_eq!(logsumexp(&[]), Err(KernelError::Empty));
    assert_eq!(softmax(&[], &mut [], Algorithm::Online), Err(KernelError::Empty));
    assert_eq!(
        softmax(&[1.0; 3], &mut [0.0; 2], Algorithm::TwoPass),
        Err(KernelError::LengthMismatch { input: 3, output: 2 })
    );
}

#[test]
fn a_million_logits_still_sum_to_one() {
    let x = logits(1 << 20, 77);
    for algorithm in Algorithm::ALL {
        let y = run(&x, algorithm);
        let sum: f64 = y.iter().map(|&v| f64::from(v)).sum();
        assert!((sum - 1.0).abs() < 1e-5, "{algorithm:?}: Σ = {sum}");
    }
}

#[test]
fn log_softmax_and_logsumexp_match_the_oracle() {
    for (seed, n) in SIZES.into_iter().enumerate() {
        let x = logits(n, 100 + seed as u64);
        let p = oracle(&x);
        let mut y = vec![0.0; n];
        log_softmax(&x, &mut y).unwrap();
        for (y, p) in y.iter().zip(&p) {
            let want = p.ln();
            assert!((f64::from(*y) - want).abs() <= 4e-6 * want.abs().max(1.0), "n = {n}: {y} vs {want}");
        }
        let m = x.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(f64::from(v)));
        let lse = m + x.iter().map(|&v| (f64::from(v) - m).exp()).sum::<f64>().ln();
        assert!((f64::from(logsumexp(&x).unwrap()) - lse).abs() <= 2e-6 * lse.abs().max(1.0));
    }
}

#[test]
fn simd_and_scalar_twins_are_bit_identical() {
    let bits = |v: &[f32]| v.iter().map(|f| if f.is_nan() { u32::MAX } else { f.to_bits() }).collect::<Vec<_>>();
    let mut inputs: Vec<Vec<f32>> = [1, 2, 3, 4, 5, 15, 16, 17, 31, 33, 4095, 4096, 4097, 8199, 65537]
        .into_iter()
        .map(|n| logits(n, n as u64))
        .collect();
    let mut with_edges = logits(100, 5);
    with_edges[7] = f32::NEG_INFINITY;
    with_edges[50] = -1e30;
    inputs.push(with_edges);
    inputs.push(vec![f32::NEG_INFINITY; 40]);
    inputs.push(vec![1.0, f32::INFINITY, 2.0, f32::INFINITY, 0.0]);
    let mut nan_row = logits(40, 3);
    nan_row[33] = f32::NAN;
    inputs.push(nan_row);
    inputs.push(logits(3000, 8).iter().map(|v| v + 900.0).collect());
    for x in &inputs {
        for algorithm in Algorithm::ALL {
            let (mut fast, mut twin) = (vec![0.0; x.len()], vec![0.0; x.len()]);
            softmax(x, &mut fast, algorithm).unwrap();
            softmax_scalar(x, &mut twin, algorithm).unwrap();
            assert_eq!(bits(&fast), bits(&twin), "{algorithm:?} n = {}", x.len());
        }
        let (mut fast, mut twin) = (vec![0.0; x.len()], vec![0.0; x.len()]);
        log_softmax(x, &mut fast).unwrap();
        log_softmax_scalar(x, &mut twin).unwrap();
        assert_eq!(bits(&fast), bits(&twin), "log-softmax n = {}", x.len());
        assert_eq!(bits(&[logsumexp(x).unwrap()]), bits(&[logsumexp_scalar(x).unwrap()]));
    }
}

#[test]
fn rows_are_independent_softmaxes() {
    let x = logits(6 * 37, 4);
    let (mut fast, mut twin) = (vec![0.0; x.len()], vec![0.0; x.len()]);
    softmax_rows(&x, &mut fast, 37, Algorithm::ThreePassReload).unwrap();
    softmax_rows_scalar(&x, &mut twin, 37, Algorithm::ThreePassReload).unwrap();
    assert_eq!(fast, twin);
    for (row, out) in x.chunks(37).zip(fast.chunks(37)) {
        assert_eq!(out, run(row, Algorithm::ThreePassReload).as_slice());
    }
    assert_eq!(softmax_rows(&x, &mut fast, 5, Algorithm::Online), Err(KernelError::Shape { len: 222, cols: 5 }));
    assert_eq!(softmax_rows(&x, &mut fast, 0, Algorithm::Online), Err(KernelError::Shape { len: 222, cols: 0 }));
}
