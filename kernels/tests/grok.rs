//! The grokking kernels: GEMM twins, the collapse and ⊥Grad fixtures of ALGORITHMS.md §4.7, gradients against
//! finite differences in f64, determinism (the same fingerprint natively and as wasm), a CI-sized run that fits
//! its training set, and refused configurations.
#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use softscope_kernels::gemm::{gemm, gemm_scalar, Lhs};
use softscope_kernels::grok::loss::{softmax_ce, stablemax_ce};
use softscope_kernels::grok::{answer, Config, GrokError, LossKind, OptimiserKind, Task, Trainer};
use softscope_kernels::precision::Precision;
use softscope_kernels::rng::SplitMix64;

#[test]
fn gemm_twins_are_bit_identical_and_accurate() {
    let mut rng = SplitMix64::new(3);
    for (m, k, n) in [(1, 1, 1), (3, 5, 7), (4, 8, 8), (9, 17, 33), (13, 64, 113), (5, 200, 31)] {
        let a: Vec<f32> = (0..m * k).map(|_| rng.normal() as f32).collect();
        let at: Vec<f32> = (0..k * m).map(|i| a[(i % m) * k + i / m]).collect();
        let b: Vec<f32> = (0..k * n).map(|_| rng.normal() as f32).collect();
        let (mut fast, mut twin, mut through_t) = (vec![0.0; m * n], vec![0.0; m * n], vec![0.0; m * n]);
        gemm(Lhs::rows(&a, k), &b, m, k, n, &mut fast).unwrap();
        gemm_scalar(Lhs::rows(&a, k), &b, m, k, n, &mut twin).unwrap();
        gemm(Lhs::transposed(&at, m), &b, m, k, n, &mut through_t).unwrap();
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&fast), bits(&twin), "{m}×{k}×{n}");
        assert_eq!(bits(&fast), bits(&through_t), "{m}×{k}×{n} through a transposed view");
        for r in 0..m {
            for j in 0..n {
                let exact: f64 = (0..k).map(|s| f64::from(a[r * k + s]) * f64::from(b[s * n + j])).sum();
                assert!((f64::from(fast[r * n + j]) - exact).abs() <= 1e-5 * (k as f64).sqrt() * (1.0 + exact.abs()));
            }
        }
    }
    assert!(gemm(Lhs::rows(&[1.0; 5], 2), &[1.0; 4], 3, 2, 2, &mut [0.0; 6]).is_err());
}

#[test]
fn collapse_fixtures() {
    // ALGORITHMS.md §4.7, f32, logits [0, −g] with the label first.
    let mut grad = [0.0f32; 2];
    let at = |g: f32, precision, grad: &mut [f32]| softmax_ce(&[0.0, -g], 0, precision, 1.0, grad);
    let s = at(16.0, Precision::F32, &mut grad);
    assert_eq!((s.loss as f32, s.collapsed), (1.192_092_8e-7, false));
    assert_eq!(at(16.5, Precision::F32, &mut grad).loss as f32, 1.192_092_8e-7);
    for g in [16.7, 17.0] {
        let s = at(g, Precision::F32, &mut grad);
        assert_eq!((s.loss, s.collapsed), (0.0, true), "g = {g}");
        assert_eq!(grad[0], 0.0, "the correct class's gradient is exactly zero");
        assert!(grad[1] > 0.0 && grad[1] < f32::EPSILON / 2.0);
    }
    // f16: g = 7.0 → S = 1.0009765625 (loss ln S in f16); 7.7 and 8.0 → exactly 1.
    assert!(!at(7.0, Precision::F16, &mut grad).collapsed);
    assert!(at(7.7, Precision::F16, &mut grad).collapsed && at(8.0, Precision::F16, &mut grad).collapsed);
    assert!(!at(30.0, Precision::F64, &mut grad).collapsed);
    // 112 competitors at g = 18, summed from the correct class's 1.0: each tiny term is absorbed on its own.
    let mut logits = vec![-18.0f32; 113];
    logits[0] = 0.0;
    let mut grad = vec![0.0f32; 113];
    assert!(softmax_ce(&logits, 0, Precision::F32, 1.0, &mut grad).collapsed);
    // StableMax in f64 for [10, 0, −10]: p = [0.909774, 0.082707, 0.007519], never collapsing its loss.
    let mut grad = [0.0f32; 3];
    let s = stablemax_ce(&[10.0, 0.0, -10.0], 0, Precision::F32, 1.0, &mut grad);
    assert!((s.loss - -(0.909_774f64).ln()).abs() < 1e-6, "{}", s.loss);
    assert!(s.loss > 0.0 && s.correct);
}

#[test]
fn orthograd_fixture() {
    let mut g = [1.0f32, 1.0];
    softscope_kernels::grok::orthogonalise(&[1.0, 0.0], &mut g);
    assert_eq!(g[0], 0.0);
    // ALGORITHMS.md §4.7 lists 1.414214, i.e. √2: the projection rescaled to ‖g‖.
    assert!((g[1] - core::f32::consts::SQRT_2).abs() < 1e-6, "{g:?}");
}

/// The mean loss of `trainer`'s training set computed from scratch in f64 (reference forward pass).
fn reference_loss(trainer: &Trainer) -> f64 {
    let c = trainer.config();
    let (p, w) = (c.p as usize, c.width as usize);
    let [w1, w2, w3] = trainer.weights();
    let data = trainer.data();
    let mut total = 0.0;
    for &(a, b, label) in &data.pairs[..data.train] {
        let h1: Vec<f64> = (0..w)
            .map(|j| (f64::from(w1[a as usize * w + j]) + f64::from(w1[(p + b as usize) * w + j])).max(0.0))
            .collect();
        let h2: Vec<f64> =
            (0..w).map(|j| (0..w).map(|i| h1[i] * f64::from(w2[i * w + j])).sum::<f64>().max(0.0)).collect();
        let z: Vec<f64> = (0..p).map(|j| (0..w).map(|i| h2[i] * f64::from(w3[i * p + j])).sum()).collect();
        let zc = z[label as usize];
        total += match c.loss {
            LossKind::Softmax => {
                let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                z.iter().map(|v| (v - m).exp()).sum::<f64>().ln() - (zc - m)
            }
            LossKind::StableMax => {
                let s = |x: f64| if x >= 0.0 { x + 1.0 } else { 1.0 / (1.0 - x) };
                z.iter().map(|&v| s(v)).sum::<f64>().ln() - s(zc).ln()
            }
        };
    }
    total / data.train as f64
}

#[test]
fn gradients_match_finite_differences_in_f64() {
    for loss in [LossKind::Softmax, LossKind::StableMax] {
        let config =
            Config { p: 5, width: 6, train_fraction: 0.6, loss, precision: Precision::F64, ..Config::default() };
        let mut trainer = Trainer::new(&config).unwrap();
        let (analytic_loss, grads) = trainer.loss_and_gradients();
        assert!((analytic_loss - reference_loss(&trainer)).abs() < 1e-5);
        let mut rng = SplitMix64::new(11);
        for (layer, grad) in grads.iter().enumerate() {
            let len = grad.len();
            for _ in 0..12 {
                let i = (rng.next_u64() % len as u64) as usize;
                let original = trainer.weights()[layer][i];
                let h = 1e-2f32;
                trainer.weights_mut()[layer][i] = original + h;
                let plus = reference_loss(&trainer);
                trainer.weights_mut()[layer][i] = original - h;
                let minus = reference_loss(&trainer);
                trainer.weights_mut()[layer][i] = original;
                let numeric = (plus - minus) / (2.0 * f64::from(h));
                let analytic = f64::from(grad[i]);
                assert!(
                    (numeric - analytic).abs() <= 2e-3 * (1.0 + numeric.abs()),
                    "{loss:?} layer {layer} weight {i}: numeric {numeric} analytic {analytic}"
                );
            }
        }
    }
}

/// Every logged number of a short run, as bits, folded into one value.
fn fingerprint(config: &Config, steps: usize) -> u64 {
    let mut trainer = Trainer::new(config).unwrap();
    let mut hash = 0xCBF2_9CE4_8422_2325u64;
    for _ in 0..steps {
        let stats = trainer.train_step().unwrap();
        let m = trainer.metrics(stats);
        let t = m.train;
        for v in [t.train_loss, t.train_acc, t.collapse, t.zero_loss, t.logit_norm, m.test_loss, m.test_acc]
            .into_iter()
            .chain(m.weight_norms)
        {
            hash = (hash ^ v.to_bits()).wrapping_mul(0x100_0000_01B3);
        }
    }
    hash
}

#[test]
fn the_same_seed_gives_the_same_bits_natively_and_as_wasm() {
    let config = Config { p: 11, width: 24, train_fraction: 0.5, ..Config::default() };
    let a = fingerprint(&config, 6);
    assert_eq!(a, fingerprint(&config, 6));
    assert_ne!(a, fingerprint(&Config { seed: 7, ..config.clone() }, 6));
    // Recorded from a native run; the wasm build (SIMD128 GEMM) must give the very same bits.
    assert_eq!(a, FINGERPRINT, "{a:#x}");
}

const FINGERPRINT: u64 = 0x4fb7_1e9b_a3af_f56a;

#[test]
fn a_ci_sized_run_fits_its_training_set() {
    for (task, optimiser) in [(Task::Add, OptimiserKind::AdamW), (Task::Div, OptimiserKind::Adam)] {
        let config = Config { task, p: 11, width: 48, train_fraction: 0.5, optimiser, ..Config::default() };
        let mut trainer = Trainer::new(&config).unwrap();
        let mut last = None;
        for _ in 0..150 {
            last = Some(trainer.train_step().unwrap());
        }
        assert_eq!(last.unwrap().train_acc, 1.0, "{task:?}");
    }
}

#[test]
fn data_and_answers() {
    assert_eq!(answer(Task::Add, 7, 8, 11), 4);
    assert_eq!(answer(Task::Sub, 3, 8, 11), 6);
    assert_eq!(answer(Task::Mul, 7, 8, 11), 1);
    // 7 ÷ 8 mod 11: 8⁻¹ = 7 (56 = 5·11 + 1), so 7·7 = 49 = 5 mod 11.
    assert_eq!(answer(Task::Div, 7, 8, 11), 5);
    let config = Config { task: Task::Div, p: 7, ..Config::default() };
    let trainer = Trainer::new(&config).unwrap();
    assert_eq!(trainer.data().pairs.len(), 42);
    assert!(trainer.data().pairs.iter().all(|&(a, b, c)| b != 0 && (c * b) % 7 == a));
}

#[test]
fn bad_configurations_are_refused_or_stop_the_run() {
    let refused = |config: Config| match Trainer::new(&config) {
        Err(GrokError::Config(why)) => why,
        other => panic!("{config:?} gave {other:?}"),
    };
    assert!(refused(Config { task: Task::Div, p: 12, ..Config::default() }).contains("not prime"));
    assert!(refused(Config { train_fraction: 0.0, ..Config::default() }).contains("train fraction"));
    assert!(refused(Config { train_fraction: 1.0, ..Config::default() }).contains("train fraction"));
    assert!(refused(Config { lr: 0.0, ..Config::default() }).contains("learning rate"));
    assert!(refused(Config { lr: -1.0, ..Config::default() }).contains("learning rate"));
    assert!(refused(Config { p: 200, ..Config::default() }).contains("between 3 and 113"));
    assert!(refused(Config { eps: 0.0, ..Config::default() }).contains("ε"));
    assert!(refused(Config { p: 3, train_fraction: 0.01, ..Config::default() }).contains("both sets"));
    // A learning rate that blows the weights up ends the run with a message, not a hang or a panic.
    let config = Config { p: 5, width: 8, optimiser: OptimiserKind::Sgd, lr: 1e30, ..Config::default() };
    let mut trainer = Trainer::new(&config).unwrap();
    let outcome = (0..20).find_map(|_| trainer.train_step().err());
    assert!(matches!(outcome, Some(GrokError::Diverged { .. })), "{outcome:?}");
    assert!(outcome.unwrap().to_string().contains("diverged"));
}

#[test]
fn orthograd_steps_are_orthogonal_to_the_weights() {
    // Plain SGD (no momentum, no decay): each layer moves by −lr·g⊥, which ⊥Grad makes orthogonal to the weights.
    for ortho in [true, false] {
        let config =
            Config { p: 7, width: 16, optimiser: OptimiserKind::Sgd, beta1: 0.0, lr: 0.1, ortho, ..Config::default() };
        let mut trainer = Trainer::new(&config).unwrap();
        let before = trainer.weights().clone();
        trainer.train_step().unwrap();
        for (w, after) in before.iter().zip(trainer.weights()) {
            let step: Vec<f64> = after.iter().zip(w).map(|(&a, &b)| f64::from(a) - f64::from(b)).collect();
            let dot: f64 = w.iter().zip(&step).map(|(&a, b)| f64::from(a) * b).sum();
            let norms = w.iter().map(|&a| f64::from(a).powi(2)).sum::<f64>().sqrt()
                * step.iter().map(|b| b * b).sum::<f64>().sqrt();
            let cosine = dot / norms;
            if ortho {
                assert!(cosine.abs() < 1e-3, "⊥Grad step has cosine {cosine} with the weights");
            } else {
                assert!(cosine.abs() > 1e-3, "a plain step is not orthogonal by accident ({cosine})");
            }
        }
    }
}
