//! The alternatives to softmax and the entropy kernel: accuracy against f64 and SIMD128 = scalar twin (run on wasm).
#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softscope_kernels::alternatives::{
    entmax15, entmax15_scalar, entropy, entropy_scalar, relu_normalised, relu_normalised_scalar, sigmoid,
    sigmoid_scalar, softplus, softplus_normalised, softplus_normalised_scalar, sparsemax, sparsemax_scalar, stablemax,
    stablemax_s, stablemax_scalar,
};
use softscope_kernels::rng::SplitMix64;
use softscope_kernels::softmax::{log_softmax, softmax, Algorithm};

fn rows() -> Vec<Vec<f32>> {
    let mut rng = SplitMix64::new(11);
    let mut rows: Vec<Vec<f32>> = [1, 3, 4, 5, 16, 17, 33, 4095, 4097, 10_000]
        .into_iter()
        .map(|n| (0..n).map(|_| (5.0 * rng.normal()) as f32).collect())
        .collect();
    rows.push(vec![0.0, -0.0, 1e-40, -1e-40, 1e30, -1e30, 3.0, -3.0]);
    rows.push(vec![-1.0, -2.0, -3.0, 0.0]);
    rows
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|f| if f.is_nan() { u32::MAX } else { f.to_bits() }).collect()
}

#[test]
fn simd_twins_are_bit_identical() {
    for x in rows() {
        let n = x.len();
        let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
        stablemax(&x, &mut a).unwrap();
        stablemax_scalar(&x, &mut b).unwrap();
        assert_eq!(bits(&a), bits(&b), "stablemax n = {n}");
        relu_normalised(&x, &mut a).unwrap();
        relu_normalised_scalar(&x, &mut b).unwrap();
        assert_eq!(bits(&a), bits(&b), "relu n = {n}");
        sparsemax(&x, &mut a).unwrap();
        sparsemax_scalar(&x, &mut b).unwrap();
        assert_eq!(bits(&a), bits(&b), "sparsemax n = {n}");
        entmax15(&x, &mut a).unwrap();
        entmax15_scalar(&x, &mut b).unwrap();
        assert_eq!(bits(&a), bits(&b), "entmax n = {n}");
        softplus_normalised(&x, &mut a).unwrap();
        softplus_normalised_scalar(&x, &mut b).unwrap();
        assert_eq!(bits(&a), bits(&b), "softplus n = {n}");
        sigmoid(&x, -(n as f32).ln(), &mut a).unwrap();
        sigmoid_scalar(&x, -(n as f32).ln(), &mut b).unwrap();
        assert_eq!(bits(&a), bits(&b), "sigmoid n = {n}");
        let (mut p, mut lp) = (vec![0.0; n], vec![0.0; n]);
        softmax(&x, &mut p, Algorithm::ThreePassReload).unwrap();
        log_softmax(&x, &mut lp).unwrap();
        assert_eq!(entropy(&p, &lp).unwrap().to_bits(), entropy_scalar(&p, &lp).unwrap().to_bits(), "entropy n = {n}");
    }
}

#[test]
fn accurate_against_f64() {
    for x in rows() {
        let n = x.len();
        let mut y = vec![0.0; n];
        stablemax(&x, &mut y).unwrap();
        let s: Vec<f64> = x.iter().map(|&v| stablemax_s(f64::from(v))).collect();
        let total: f64 = s.iter().sum();
        for (y, s) in y.iter().zip(&s) {
            let want = s / total;
            assert!((f64::from(*y) - want).abs() <= 2e-6 * want.max(1e-30) + 1e-37, "stablemax {y} vs {want}");
        }
        softplus_normalised(&x, &mut y).unwrap();
        let s: Vec<f64> = x.iter().map(|&v| softplus(f64::from(v))).collect();
        let total: f64 = s.iter().sum();
        for (y, s) in y.iter().zip(&s) {
            let want = s / total;
            assert!((f64::from(*y) - want).abs() <= 2e-6 * want + 1e-37, "softplus {y} vs {want}");
        }
        sigmoid(&x, 0.5, &mut y).unwrap();
        for (y, &v) in y.iter().zip(&x) {
            let want = 1.0 / (1.0 + (-(f64::from(v) + 0.5)).exp());
            assert!((f64::from(*y) - want).abs() <= 1e-6 * want.max(1e-30) + 1e-38, "sigmoid({v}) {y} vs {want}");
        }
        let (mut p, mut lp) = (vec![0.0; n], vec![0.0; n]);
        softmax(&x, &mut p, Algorithm::ThreePassReload).unwrap();
        log_softmax(&x, &mut lp).unwrap();
        let h = entropy(&p, &lp).unwrap();
        let exact: f64 =
            -p.iter().zip(&lp).filter(|(p, _)| **p > 0.0).map(|(p, l)| f64::from(*p) * f64::from(*l)).sum::<f64>();
        assert!((h - exact).abs() <= 1e-5 * exact.max(1.0), "entropy {h} vs {exact}");
    }
}

#[test]
fn edge_policies() {
    let mut y = [0.0f32; 3];
    stablemax(&[1.0, f32::NAN, 0.0], &mut y).unwrap();
    assert!(y.iter().all(|v| v.is_nan()));
    stablemax(&[1.0, f32::INFINITY, 0.0], &mut y).unwrap();
    assert!(y.iter().all(|v| v.is_nan()), "∞/∞");
    relu_normalised(&[-1.0, f32::INFINITY, 2.0], &mut y).unwrap();
    assert_eq!(y, [0.0, 1.0, 0.0]);
    relu_normalised(&[-1.0, -2.0, 0.0], &mut y).unwrap();
    assert!(y.iter().all(|v| v.is_nan()), "no mass");
    sigmoid(&[f32::NEG_INFINITY, f32::INFINITY, f32::NAN], 0.0, &mut y).unwrap();
    assert_eq!(&y[..2], &[0.0, 1.0]);
    assert!(y[2].is_nan());
    assert_eq!(entropy(&[1.0, 0.0], &[0.0, f32::NEG_INFINITY]).unwrap(), 0.0, "0·log 0 counts as 0");
}
