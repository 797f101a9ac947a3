//! Attention scores and weight rows: the ALGORITHMS.md §3.5 and §2.9 fixtures, invariants, bad input, and the
//! SIMD128 scores kernel against its scalar twin (also as wasm).
#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softscope_kernels::attention::{measures, scores, scores_scalar, weights, Method, RowKind};
use softscope_kernels::rng::SplitMix64;
use softscope_kernels::KernelError;

/// k1 = [1, 0.2], k2 = [0.5, 0.5], k3 = [0.2, 1].
const KEYS: [f32; 6] = [1.0, 0.2, 0.5, 0.5, 0.2, 1.0];

fn row(method: Method, c: f32) -> Vec<f32> {
    let mut out = vec![0.0; 3];
    weights(method, &[c, 0.5 * c], &KEYS, &mut out).unwrap();
    out
}

fn assert_close(got: &[f32], want: &[f64], tolerance: f64, what: &str) {
    for (g, w) in got.iter().zip(want) {
        assert!((f64::from(*g) - w).abs() <= tolerance, "{what}: {got:?} vs {want:?}");
    }
}

/// One row of the §3.5 table: c, softmax weights, softmax entropy, elu+1, MALA paper form, NaLa code form.
type SweepRow = (f32, [f64; 3], f64, [f64; 3], [f64; 3], [f64; 3]);

#[test]
fn query_norm_sweep_fixture() {
    // ALGORITHMS.md §3.5, q = c·[1, 0.5].
    let table: [SweepRow; 5] = [
        (
            0.5,
            [0.3634, 0.3211, 0.3155],
            1.0966,
            [0.3482, 0.3191, 0.3327],
            [0.5564, 0.2441, 0.1995],
            [0.7866, 0.1103, 0.1030],
        ),
        (
            1.0,
            [0.3946, 0.3081, 0.2974],
            1.0903,
            [0.3526, 0.3191, 0.3283],
            [0.6814, 0.1941, 0.1245],
            [0.8284, 0.1103, 0.0613],
        ),
        (
            2.0,
            [0.4592, 0.2799, 0.2608],
            1.0643,
            [0.3574, 0.3191, 0.3234],
            [0.9314, 0.0941, -0.0255],
            [0.8439, 0.1103, 0.0458],
        ),
        (
            4.0,
            [0.5903, 0.2193, 0.1904],
            0.9598,
            [0.3617, 0.3191, 0.3191],
            [1.4314, -0.1059, -0.3255],
            [0.8455, 0.1103, 0.0441],
        ),
        (
            8.0,
            [0.8051, 0.1112, 0.0838],
            0.6265,
            [0.3647, 0.3191, 0.3161],
            [2.4314, -0.5059, -0.9255],
            [0.8456, 0.1103, 0.0441],
        ),
    ];
    for (c, softmax, h, elu, mala, nala) in table {
        let s = row(Method::Softmax, c);
        assert_close(&s, &softmax, 6e-5, &format!("softmax c = {c}"));
        assert!((measures(&s, 1).entropy - h).abs() < 1e-4, "softmax H at c = {c}");
        assert_close(&row(Method::LinearRelu, c), &[0.4314, 0.2941, 0.2745], 6e-5, "ReLU-linear");
        assert!((measures(&row(Method::LinearRelu, c), 1).entropy - 1.0775).abs() < 1e-4);
        assert_close(&row(Method::LinearElu, c), &elu, 6e-5, &format!("elu+1 c = {c}"));
        assert_close(&row(Method::MalaPaper, c), &mala, 6e-5, &format!("MALA c = {c}"));
        assert_close(&row(Method::NaLa, c), &nala, 6e-5, &format!("NaLa c = {c}"));
    }
    // MALA code form: scores × d^(−1/2)/n.
    for (c, want) in [
        (1.0, [0.490298, 0.270547, 0.239154]),
        (4.0, [0.667075, 0.199837, 0.133088]),
        (8.0, [0.902777, 0.105556, -0.008333]),
    ] {
        assert_close(&row(Method::MalaCode, c), &want, 2e-6, &format!("MALA code c = {c}"));
    }
}

#[test]
fn alternative_rows_fixture() {
    // §2.9: scores [1, 2, 3] (d = 1, q = [1]), n = 3.
    let mut out = vec![0.0; 3];
    assert_eq!(weights(Method::Sigmoid, &[1.0], &[1.0, 2.0, 3.0], &mut out), Ok(RowKind::Unnormalised));
    assert_close(&out, &[0.475367, 0.711235, 0.870049], 1e-6, "sigmoid");
    assert!((measures(&out, 3).sum - 2.056650).abs() < 1e-5);
    weights(Method::ReluSeqlen, &[1.0], &[1.0, 2.0, 3.0], &mut out).unwrap();
    assert_close(&out, &[0.333333, 0.666667, 1.0], 1e-6, "ReLU/seqlen");
    // LSSA, d = 64, N = 4, cosines [0.9, 0.5, 0.1, −0.3].
    let d = 64;
    let mut q = vec![0.0f32; d];
    q[0] = 1.0;
    let keys: Vec<f32> = [0.9f32, 0.5, 0.1, -0.3]
        .iter()
        .flat_map(|&c| {
            let mut k = vec![0.0f32; d];
            k[0] = c;
            k[1] = (1.0 - c * c).sqrt();
            k
        })
        .collect();
    let mut out = vec![0.0; 4];
    weights(Method::Lssa, &q, &keys, &mut out).unwrap();
    assert_close(&out, &[0.557505, 0.315240, 0.109732, 0.017523], 2e-6, "LSSA");
    assert!((measures(&out, 1).entropy - 1.0030).abs() < 1e-4);
    weights(Method::Lssar { power: 15.0 }, &q, &keys, &mut out).unwrap();
    assert_close(&out, &[1.0, 0.0, 0.0, 0.0], 1e-6, "LSSAR p = 15");
    weights(Method::Lssar { power: 3.0 }, &q, &keys, &mut out).unwrap();
    assert_close(&out, &[0.990541, 0.009459, 0.0, 0.0], 2e-6, "LSSAR p = 3");
    // SOFT, d = 2, q/k rows [1, 0], [0, 1], [1, 1].
    let rows = [1.0f32, 0.0, 0.0, 1.0, 1.0, 1.0];
    let mut out = vec![0.0; 3];
    weights(Method::SoftGaussian, &rows[..2], &rows, &mut out).unwrap();
    assert_close(&out, &[1.0, 0.493069, 0.702189], 1e-6, "SOFT row 0");
    weights(Method::SoftGaussian, &rows[4..], &rows, &mut out).unwrap();
    assert_close(&out, &[0.702189, 0.702189, 1.0], 1e-6, "SOFT row 2");
}

#[test]
fn invariants() {
    let mut rng = SplitMix64::new(3);
    let (d, n) = (16, 50);
    let q: Vec<f32> = (0..d).map(|_| rng.normal() as f32).collect();
    let keys: Vec<f32> = (0..n * d).map(|_| rng.normal() as f32).collect();
    let at = |method: Method, c: f32| {
        let scaled: Vec<f32> = q.iter().map(|v| v * c).collect();
        let mut out = vec![0.0; n];
        weights(method, &scaled, &keys, &mut out).unwrap();
        out
    };
    // ReLU-linear is exactly invariant to q → c·q (powers of two scale exactly).
    for c in [0.25, 2.0, 8.0] {
        assert_eq!(at(Method::LinearRelu, c), at(Method::LinearRelu, 1.0));
    }
    let entropies: Vec<f64> =
        [0.1f32, 0.5, 1.0, 2.0, 4.0, 8.0].iter().map(|&c| measures(&at(Method::Softmax, c), 1).entropy).collect();
    assert!(entropies.windows(2).all(|w| w[1] <= w[0] + 1e-9), "softmax entropy falls with c: {entropies:?}");
    for c in [0.5, 1.0, 3.0] {
        assert!((measures(&at(Method::MalaPaper, c), 1).sum - 1.0).abs() < 1e-5, "MALA sums to 1");
        assert!((measures(&at(Method::MalaCode, c), 1).sum - 1.0).abs() < 1e-5, "MALA code sums to 1");
        let nala = at(Method::NaLa, c);
        assert!(nala.iter().all(|&w| w >= 0.0) && (measures(&nala, 1).sum - 1.0).abs() < 1e-4, "NaLa");
    }
    // Sigmoid at s = 0: n·σ(−ln n) = n/(n + 1).
    let zero = vec![0.0f32; d];
    let mut out = vec![0.0; n];
    weights(Method::Sigmoid, &zero, &keys, &mut out).unwrap();
    assert!((measures(&out, 1).sum - n as f64 / (n as f64 + 1.0)).abs() < 1e-5);
}

#[test]
fn bad_input_is_documented_not_a_panic() {
    let mut out = vec![0.0; 3];
    assert_eq!(weights(Method::Softmax, &[], &KEYS, &mut out), Err(KernelError::Empty));
    assert_eq!(weights(Method::Softmax, &[1.0, 0.5], &[], &mut out), Err(KernelError::Empty));
    assert_eq!(
        weights(Method::Softmax, &[1.0, 0.5], &KEYS[..5], &mut out),
        Err(KernelError::Shape { len: 5, cols: 2 })
    );
    assert_eq!(
        weights(Method::Softmax, &[1.0, 0.5], &KEYS, &mut [0.0; 2]),
        Err(KernelError::LengthMismatch { input: 3, output: 2 })
    );
    weights(Method::Softmax, &[f32::NAN, 0.5], &KEYS, &mut out).unwrap();
    assert!(out.iter().all(|v| v.is_nan()));
    assert_eq!(weights(Method::NaLa, &[0.0, 0.0], &KEYS, &mut out), Ok(RowKind::Distribution));
    assert_close(&out, &[1.0 / 3.0; 3], 1e-7, "zero-norm query: uniform");
    assert_eq!(scores(&[1.0], &[1.0], 0, &mut [0.0]), Err(KernelError::Empty));
    assert_eq!(scores(&[1.0, 2.0], &[1.0, 2.0, 3.0], 2, &mut [0.0]), Err(KernelError::Shape { len: 3, cols: 2 }));
}

#[test]
fn simd_scores_equal_the_scalar_twin() {
    let mut rng = SplitMix64::new(9);
    for d in [1, 2, 3, 4, 5, 16, 17, 64, 100] {
        let (m, n) = (7, 33);
        let q: Vec<f32> = (0..m * d).map(|_| rng.normal() as f32).collect();
        let k: Vec<f32> = (0..n * d).map(|_| rng.normal() as f32).collect();
        let (mut a, mut b) = (vec![0.0; m * n], vec![0.0; m * n]);
        scores(&q, &k, d, &mut a).unwrap();
        scores_scalar(&q, &k, d, &mut b).unwrap();
        assert_eq!(
            a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            b.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            "d = {d}"
        );
        // And against f64.
        for i in 0..m {
            for j in 0..n {
                let exact: f64 =
                    (0..d).map(|t| f64::from(q[i * d + t]) * f64::from(k[j * d + t])).sum::<f64>() / (d as f64).sqrt();
                assert!((f64::from(a[i * n + j]) - exact).abs() <= 1e-5 * (1.0 + exact.abs()), "d = {d}");
            }
        }
    }
}
