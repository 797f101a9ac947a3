//! Per-sample cross-entropies and their gradients with respect to the logits, and the Softmax Collapse test.

use crate::precision::Precision;

/// What one sample contributes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleLoss {
    /// The loss, as computed (so exactly 0 once collapsed).
    pub loss: f64,
    /// Σ exp(z − max z) == 1 exactly in the precision: Softmax Collapse.
    pub collapsed: bool,
    /// The arg-max logit is the label.
    pub correct: bool,
}

/// Softmax cross-entropy of `logits` for `label`, every operation rounded to `precision`, as a framework does
/// after casting the logits: m = max z, eₖ = exp(zₖ − m), S = Σ eₖ in class order, loss = ln S − (z_c − m).
/// `grad` receives (pₖ − [k = c]) · `scale` with pₖ = eₖ / S: when S rounds to 1 the correct class's component is
/// exactly zero and the others are below the unit roundoff, the paper's vanishing learning signal.
pub fn softmax_ce(logits: &[f32], label: usize, precision: Precision, scale: f32, grad: &mut [f32]) -> SampleLoss {
    let round = |v: f64| precision.round(v);
    // Comparisons, not `f64::max`, which wasm32 makes a call per logit; NaN never wins either way.
    let m = logits.iter().map(|&z| round(f64::from(z))).fold(f64::NEG_INFINITY, |m, v| if v > m { v } else { m });
    let term = |z: f32| round(round(round(f64::from(z)) - m).exp());
    // PERF: the exponential dominates a training step outside the GEMMs. Below f64 every rounded eₖ is an f32, so
    // `grad` holds it until the second pass; in f64 it is computed again.
    let kept = precision != Precision::F64;
    let mut sum = 0.0;
    for (g, &z) in grad.iter_mut().zip(logits) {
        let e = term(z);
        sum = round(sum + e);
        if kept {
            *g = e as f32;
        }
    }
    let z_c = round(f64::from(logits[label]));
    let loss = round(round(sum.ln()) - round(z_c - m));
    for (k, (g, &z)) in grad.iter_mut().zip(logits).enumerate() {
        let e = if kept { f64::from(*g) } else { term(z) };
        let p = round(e / sum);
        let d = if k == label { round(p - 1.0) } else { p };
        *g = d as f32 * scale;
    }
    SampleLoss { loss, collapsed: sum == 1.0, correct: argmax(logits) == label }
}

/// StableMax's s(x): x + 1 for x ≥ 0, 1/(1 − x) below.
fn s(x: f64) -> f64 {
    if x >= 0.0 {
        x + 1.0
    } else {
        1.0 / (1.0 - x)
    }
}

/// s′(x).
fn s_prime(x: f64) -> f64 {
    if x >= 0.0 {
        1.0
    } else {
        1.0 / ((1.0 - x) * (1.0 - x))
    }
}

/// StableMax cross-entropy in f64: loss = ln Σ s(zₖ) − ln s(z_c); `grad` receives
/// (s′(zₖ)/Σs − [k = c]·s′(z_c)/s(z_c)) · `scale`. The collapse flag is the softmax test in `precision`.
pub fn stablemax_ce(logits: &[f32], label: usize, precision: Precision, scale: f32, grad: &mut [f32]) -> SampleLoss {
    // The softmax pass only for its collapse flag; `grad` is overwritten below.
    let collapsed = softmax_ce(logits, label, precision, 0.0, grad).collapsed;
    let total: f64 = logits.iter().map(|&z| s(f64::from(z))).sum();
    let z_c = f64::from(logits[label]);
    let loss = total.ln() - s(z_c).ln();
    for (k, (g, &z)) in grad.iter_mut().zip(logits).enumerate() {
        let mut d = s_prime(f64::from(z)) / total;
        if k == label {
            d -= s_prime(z_c) / s(z_c);
        }
        *g = d as f32 * scale;
    }
    SampleLoss { loss, collapsed, correct: argmax(logits) == label }
}

/// The first index of the largest logit (NaN never wins).
pub fn argmax(logits: &[f32]) -> usize {
    let mut best = 0;
    for (k, &z) in logits.iter().enumerate() {
        if z > logits[best] {
            best = k;
        }
    }
    best
}
