//! Attention scores and weight rows: the ALGORITHMS.md §3.5 and §2.9 fixtures, invariants, bad input, and the
//! SIMD128 scores kernel against its scalar twin (also as wasm).
#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softscope_kernels::attention::{
    measures, measures_scalar, scores, scores_scalar, weights, Method, Prepared, RowKind,
};
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

fn normal_matrix(rng: &mut SplitMix64, len: usize) -> Vec<f32> {
    (0..len).map(|_| rng.normal() as f32).collect()
}

#[test]
fn prepared_rows_match_the_f64_reference_at_every_scale() {
    let mut rng = SplitMix64::new(21);
    for (m, n, d) in [(5, 9, 2), (6, 33, 7), (4, 64, 16), (3, 130, 64)] {
        let q = normal_matrix(&mut rng, m * d);
        let k = normal_matrix(&mut rng, n * d);
        let fast = Prepared::new(&q, &k, d).unwrap();
        let twin = Prepared::new_scalar(&q, &k, d).unwrap();
        assert_eq!((fast.queries(), fast.keys()), (m, n));
        for method in Method::ALL {
            for c in [0.1f32, 0.7, 1.0, 3.0, 10.0] {
                let (mut a, mut b) = (vec![0.0; m * n], vec![0.0; m * n]);
                let kind = fast.rows(method, c, m, &mut a).unwrap();
                assert_eq!(twin.rows(method, c, m, &mut b).unwrap(), kind);
                for i in 0..m {
                    let scaled: Vec<f32> = q[i * d..(i + 1) * d].iter().map(|v| v * c).collect();
                    let mut want = vec![0.0; n];
                    assert_eq!(weights(method, &scaled, &k, &mut want).unwrap(), kind);
                    let top = want.iter().fold(0.0f32, |t, v| t.max(v.abs()));
                    for j in 0..n {
                        let (got, twin, want) = (a[i * n + j], b[i * n + j], want[j]);
                        let what = format!("{method:?} c = {c} ({m}×{n}×{d}) row {i} key {j}: {got} vs {want}");
                        if want.is_nan() {
                            // ReLU-linear rows of a query with no positive component have no mass to normalise.
                            assert!(got.is_nan() && twin.is_nan(), "{what}");
                            continue;
                        }
                        // f32 scores against f64 ones: a few ULP of the row's largest weight, more for LSSAR's
                        // 15th power and for weights found by differences (MALA, SOFT) at large scales.
                        assert!((got - want).abs() <= 2e-4 * top.max(1e-3), "{what}");
                        assert!((got - twin).abs() <= 1e-6 * top.max(1e-3), "SIMD and scalar twin: {what}");
                    }
                }
            }
        }
    }
}

#[test]
fn prepared_bad_input_is_documented_not_a_panic() {
    assert_eq!(Prepared::new(&[], &KEYS, 2), Err(KernelError::Empty));
    assert_eq!(Prepared::new(&[1.0, 0.5], &KEYS, 0), Err(KernelError::Empty));
    assert_eq!(Prepared::new(&[1.0, 0.5], &KEYS[..5], 2), Err(KernelError::Shape { len: 5, cols: 2 }));
    let p = Prepared::new(&[1.0, 0.5, 0.0, 0.0], &KEYS, 2).unwrap();
    assert_eq!(
        p.rows(Method::Softmax, 1.0, 3, &mut [0.0; 9]),
        Err(KernelError::LengthMismatch { input: 6, output: 9 })
    );
    assert_eq!(
        p.rows(Method::Softmax, 1.0, 1, &mut [0.0; 2]),
        Err(KernelError::LengthMismatch { input: 3, output: 2 })
    );
    let mut out = [0.0; 6];
    for method in [Method::NaLa, Method::Lssa, Method::Lssar { power: 15.0 }] {
        p.rows(method, 1.0, 2, &mut out).unwrap();
        assert_close(&out[3..], &[1.0 / 3.0; 3], 1e-7, "zero-norm query: uniform");
    }
    assert!(p.score(0, 0) > 0.0 && p.score(2, 0).is_nan() && p.score(0, 3).is_nan());
    let nan = Prepared::new(&[f32::NAN, 0.5], &KEYS, 2).unwrap();
    for method in Method::ALL {
        nan.rows(method, 1.0, 1, &mut out[..3]).unwrap();
        assert!(out[..3].iter().all(|v| v.is_nan()), "{method:?}");
    }
}

#[test]
fn exactly_the_scale_invariant_methods_give_identical_rows_at_every_scale() {
    let mut rng = SplitMix64::new(5);
    let (q, k) = (normal_matrix(&mut rng, 4 * 8), normal_matrix(&mut rng, 20 * 8));
    for p in [Prepared::new(&q, &k, 8).unwrap(), Prepared::new_scalar(&q, &k, 8).unwrap()] {
        for method in Method::ALL {
            let (mut a, mut b) = (vec![0.0; 80], vec![0.0; 80]);
            p.rows(method, 0.1, 4, &mut a).unwrap();
            p.rows(method, 10.0, 4, &mut b).unwrap();
            assert_eq!(a == b, method.scale_invariant(), "{method:?}");
        }
    }
}

#[test]
fn measures_match_f64_and_their_scalar_twin() {
    let mut rng = SplitMix64::new(77);
    for n in [1, 3, 16, 17, 100, 5000] {
        let mut row: Vec<f32> = (0..n).map(|_| (rng.normal() * 3.0).exp() as f32).collect();
        if n > 3 {
            row[1] = 0.0;
            row[2] = -0.25;
            row[3] = 1e-40;
        }
        let abs_sum: f64 = row.iter().map(|&v| f64::from(v).abs()).sum();
        let want: f64 =
            -row.iter().map(|&v| f64::from(v).abs() / abs_sum).filter(|&p| p > 0.0).map(|p| p * p.ln()).sum::<f64>();
        let (fast, twin) = (measures(&row, 3), measures_scalar(&row, 3));
        assert_eq!(fast, twin, "n = {n}");
        assert!((fast.entropy - want).abs() <= 1e-6 * want.abs().max(1.0), "n = {n}: {} vs {want}", fast.entropy);
        let mut sorted = row.iter().map(|&v| f64::from(v)).collect::<Vec<_>>();
        sorted.sort_by(|a, b| b.total_cmp(a));
        assert_eq!(fast.top_k_mass, sorted.iter().take(3).sum::<f64>());
        assert_eq!(measures(&row, 1).top_k_mass, sorted[0]);
    }
    assert_eq!(measures(&[0.0, 0.0], 1).entropy, 0.0);
    assert!(measures(&[0.5, f32::NAN], 1).entropy.is_nan());
    assert!((measures(&[0.25; 4], 2).entropy - 4f64.ln()).abs() < 1e-7);
}
