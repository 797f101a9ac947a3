//! The MLP, its optimiser, and a trainer that works through a full-batch step in blocks of samples, so that a
//! caller (the web worker) can yield between blocks and stay responsive at any problem size.

use super::loss::{softmax_ce, stablemax_ce, SampleLoss};
use super::{Config, Dataset, GrokError, LossKind, OptimiserKind};
use crate::gemm::{flops, gemm, Lhs};
use crate::rng::SplitMix64;
use serde::{Deserialize, Serialize};

/// Samples per block of a step: small enough that a block takes a few milliseconds at p = 113, width 200.
pub const BLOCK: usize = 128;

/// What the training set said during one step (about the weights before its update).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StepStats {
    /// Mean training loss.
    pub train_loss: f64,
    /// Training accuracy.
    pub train_acc: f64,
    /// Share of training samples in Softmax Collapse (Σ exp(z − max z) == 1 in the precision).
    pub collapse: f64,
    /// Share of training samples whose loss is exactly 0.
    pub zero_loss: f64,
    /// Mean L2 norm of the logit vectors.
    pub logit_norm: f64,
}

/// One logged point of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Steps taken before this point's training statistics.
    pub step: u64,
    /// The training set.
    pub train: StepStats,
    /// Mean test loss (softmax CE in f64, whatever the training loss).
    pub test_loss: f64,
    /// Test accuracy.
    pub test_acc: f64,
    /// L2 norm of each layer's weights.
    pub weight_norms: [f64; 3],
}

#[derive(Debug, Clone, Default)]
struct Totals {
    samples: usize,
    loss: f64,
    correct: usize,
    collapsed: usize,
    zero: usize,
    logit_norm: f64,
}

impl Totals {
    fn add(&mut self, s: SampleLoss, logits: &[f32]) {
        self.samples += 1;
        self.loss += s.loss;
        self.correct += usize::from(s.correct);
        self.collapsed += usize::from(s.collapsed);
        self.zero += usize::from(s.loss == 0.0);
        self.logit_norm += logits.iter().map(|&z| f64::from(z) * f64::from(z)).sum::<f64>().sqrt();
    }

    fn stats(&self) -> StepStats {
        let n = self.samples.max(1) as f64;
        StepStats {
            train_loss: self.loss / n,
            train_acc: self.correct as f64 / n,
            collapse: self.collapsed as f64 / n,
            zero_loss: self.zero as f64 / n,
            logit_norm: self.logit_norm / n,
        }
    }
}

#[derive(Debug, Clone)]
struct Moments {
    first: Vec<f32>,
    second: Vec<f32>,
}

/// Buffers of one block's forward and backward pass.
#[derive(Debug, Clone, Default)]
struct Scratch {
    h1: Vec<f32>,
    h2: Vec<f32>,
    logits: Vec<f32>,
    dlogits: Vec<f32>,
    dh2: Vec<f32>,
    dh1: Vec<f32>,
    product: Vec<f32>,
}

/// A run in progress: the data, the weights, the optimiser's state and the step under way.
#[derive(Debug, Clone)]
pub struct Trainer {
    config: Config,
    data: Dataset,
    p: usize,
    w: usize,
    /// W1 (2p × w, one row per one-hot input), W2 (w × w), W3 (w × p); inputs multiply from the left.
    weights: [Vec<f32>; 3],
    grads: [Vec<f32>; 3],
    moments: [Moments; 3],
    /// W2ᵀ and W3ᵀ for the backward pass, taken at the start of each step.
    transposed: [Vec<f32>; 2],
    step: u64,
    cursor: usize,
    totals: Totals,
    scratch: Scratch,
}

fn transpose(m: &[f32], rows: usize, cols: usize, out: &mut [f32]) {
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = m[r * cols + c];
        }
    }
}

fn norm(v: &[f32]) -> f64 {
    v.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>().sqrt()
}

/// ⊥Grad: removes from `g` its component along `w`, then restores `g`'s norm (the reference code's rescaling).
pub fn orthogonalise(w: &[f32], g: &mut [f32]) {
    let dot: f64 = w.iter().zip(g.iter()).map(|(&a, &b)| f64::from(a) * f64::from(b)).sum();
    let ww: f64 = w.iter().map(|&a| f64::from(a) * f64::from(a)).sum();
    let before = norm(g);
    let coefficient = dot / (ww + 1e-30);
    for (g, &w) in g.iter_mut().zip(w) {
        *g = (f64::from(*g) - coefficient * f64::from(w)) as f32;
    }
    let scale = before / (norm(g) + 1e-30);
    g.iter_mut().for_each(|g| *g = (f64::from(*g) * scale) as f32);
}

impl Trainer {
    /// A fresh run: the split and PyTorch's default Linear initialisation, U(−1/√fan_in, 1/√fan_in), from the seed.
    pub fn new(config: &Config) -> Result<Self, GrokError> {
        config.validate()?;
        let (p, w) = (config.p as usize, config.width as usize);
        let mut rng = SplitMix64::new(config.seed ^ 0x005E_ED0F_1A7E_u64);
        let mut layer = |fan_in: usize, len: usize| {
            let bound = 1.0 / (fan_in as f64).sqrt();
            (0..len).map(|_| rng.uniform(-bound, bound) as f32).collect::<Vec<_>>()
        };
        let weights = [layer(2 * p, 2 * p * w), layer(w, w * w), layer(w, w * p)];
        let zeros = |v: &Vec<f32>| vec![0.0f32; v.len()];
        Ok(Self {
            config: config.clone(),
            data: Dataset::new(config),
            p,
            w,
            grads: [zeros(&weights[0]), zeros(&weights[1]), zeros(&weights[2])],
            moments: core::array::from_fn(|i| Moments { first: zeros(&weights[i]), second: zeros(&weights[i]) }),
            transposed: [zeros(&weights[1]), zeros(&weights[2])],
            weights,
            step: 0,
            cursor: 0,
            totals: Totals::default(),
            scratch: Scratch::default(),
        })
    }

    /// Takes the optimiser settings of `config` (learning rate, decay, betas, ε, ⊥Grad, optimiser) from the next
    /// step on; the data and the model stay. A new optimiser kind starts from fresh moments.
    pub fn set_optimiser(&mut self, config: &Config) {
        if config.optimiser != self.config.optimiser {
            for m in &mut self.moments {
                m.first.fill(0.0);
                m.second.fill(0.0);
            }
        }
        let c = &mut self.config;
        (c.optimiser, c.lr, c.weight_decay, c.beta1, c.beta2, c.eps, c.ortho) =
            (config.optimiser, config.lr, config.weight_decay, config.beta1, config.beta2, config.eps, config.ortho);
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Steps completed.
    pub fn step(&self) -> u64 {
        self.step
    }

    /// The weights W1, W2, W3.
    pub fn weights(&self) -> &[Vec<f32>; 3] {
        &self.weights
    }

    /// The weights, to be changed (tests perturb them for finite differences).
    pub fn weights_mut(&mut self) -> &mut [Vec<f32>; 3] {
        &mut self.weights
    }

    /// The data split.
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// Floating-point operations of one full-batch step: forward 2w² + 2wp per sample (the first layer is a
    /// gather), backward twice that.
    pub fn flops_per_step(&self) -> f64 {
        let b = self.data.train;
        3.0 * (flops(b, self.w, self.w) + flops(b, self.w, self.p))
    }

    /// Forward pass of the pairs `start..end` into the scratch buffers: h1, h2 and the logits.
    fn forward(&mut self, start: usize, end: usize) {
        let pairs = &self.data.pairs[start..end];
        let (p, w, n) = (self.p, self.w, pairs.len());
        let s = &mut self.scratch;
        s.h1.resize(n * w, 0.0);
        s.h2.resize(n * w, 0.0);
        s.logits.resize(n * p, 0.0);
        let w1 = &self.weights[0];
        for (row, &(a, b, _)) in s.h1.chunks_exact_mut(w).zip(pairs) {
            // The one-hot input times W1 is the sum of two rows of W1: a gather, not a product.
            let (ra, rb) = (&w1[a as usize * w..][..w], &w1[(p + b as usize) * w..][..w]);
            for ((h, &x), &y) in row.iter_mut().zip(ra).zip(rb) {
                *h = (x + y).max(0.0);
            }
        }
        // Shapes are consistent by construction; the kernels only refuse slices shorter than their shapes.
        let _ = gemm(Lhs::rows(&s.h1, w), &self.weights[1], n, w, w, &mut s.h2);
        s.h2.iter_mut().for_each(|h| *h = h.max(0.0));
        let _ = gemm(Lhs::rows(&s.h2, w), &self.weights[2], n, w, p, &mut s.logits);
    }

    /// Adds `product` to a gradient.
    fn accumulate(grad: &mut [f32], product: &[f32]) {
        grad.iter_mut().zip(product).for_each(|(g, &d)| *g += d);
    }

    /// Forward and backward pass of one block of the training set; adds to the gradients and the totals.
    fn block(&mut self, start: usize, end: usize) {
        self.forward(start, end);
        let pairs = &self.data.pairs[start..end];
        let (p, w, n) = (self.p, self.w, pairs.len());
        let scale = 1.0 / self.data.train as f32;
        let s = &mut self.scratch;
        s.dlogits.resize(n * p, 0.0);
        for ((z, d), &(_, _, label)) in s.logits.chunks_exact(p).zip(s.dlogits.chunks_exact_mut(p)).zip(pairs) {
            let sample = match self.config.loss {
                LossKind::Softmax => softmax_ce(z, label as usize, self.config.precision, scale, d),
                LossKind::StableMax => stablemax_ce(z, label as usize, self.config.precision, scale, d),
            };
            self.totals.add(sample, z);
        }
        // ∂W3 = h2ᵀ·∂z; ∂h2 = ∂z·W3ᵀ ⊙ [h2 > 0]; ∂W2 = h1ᵀ·∂h2; ∂h1 = ∂h2·W2ᵀ ⊙ [h1 > 0]; ∂W1 rows += ∂h1.
        s.product.resize(w * p.max(w), 0.0);
        let _ = gemm(Lhs::transposed(&s.h2, w), &s.dlogits, w, n, p, &mut s.product[..w * p]);
        Self::accumulate(&mut self.grads[2], &s.product[..w * p]);
        s.dh2.resize(n * w, 0.0);
        let _ = gemm(Lhs::rows(&s.dlogits, p), &self.transposed[1], n, p, w, &mut s.dh2);
        s.dh2.iter_mut().zip(&s.h2).for_each(|(d, &h)| *d = if h > 0.0 { *d } else { 0.0 });
        let _ = gemm(Lhs::transposed(&s.h1, w), &s.dh2, w, n, w, &mut s.product[..w * w]);
        Self::accumulate(&mut self.grads[1], &s.product[..w * w]);
        s.dh1.resize(n * w, 0.0);
        let _ = gemm(Lhs::rows(&s.dh2, w), &self.transposed[0], n, w, w, &mut s.dh1);
        s.dh1.iter_mut().zip(&s.h1).for_each(|(d, &h)| *d = if h > 0.0 { *d } else { 0.0 });
        let g1 = &mut self.grads[0];
        for (d, &(a, b, _)) in s.dh1.chunks_exact(w).zip(pairs) {
            Self::accumulate(&mut g1[a as usize * w..][..w], d);
            Self::accumulate(&mut g1[(p + b as usize) * w..][..w], d);
        }
    }

    fn begin_step(&mut self) {
        for g in &mut self.grads {
            g.fill(0.0);
        }
        self.totals = Totals::default();
        transpose(&self.weights[1], self.w, self.w, &mut self.transposed[0]);
        transpose(&self.weights[2], self.w, self.p, &mut self.transposed[1]);
    }

    /// Works on the step under way for at most `max_samples` training samples (at least one block). Returns the
    /// step's training statistics when this call finished it and updated the weights, `None` when more remains.
    ///
    /// Errors: NaN or ±∞ in the loss or the new weights ([`GrokError::Diverged`]); the run should stop there.
    pub fn advance(&mut self, max_samples: usize) -> Result<Option<StepStats>, GrokError> {
        let end_of_step = self.data.train;
        let stop = (self.cursor + max_samples.max(1)).min(end_of_step);
        while self.cursor < stop {
            if self.cursor == 0 {
                self.begin_step();
            }
            let end = (self.cursor + BLOCK).min(end_of_step);
            self.block(self.cursor, end);
            self.cursor = end;
        }
        if self.cursor < end_of_step {
            return Ok(None);
        }
        self.cursor = 0;
        let stats = self.totals.stats();
        self.update();
        self.step += 1;
        if !stats.train_loss.is_finite() || self.weights.iter().flatten().any(|v| !v.is_finite()) {
            return Err(GrokError::Diverged { step: self.step });
        }
        Ok(Some(stats))
    }

    /// One whole full-batch step.
    pub fn train_step(&mut self) -> Result<StepStats, GrokError> {
        loop {
            if let Some(stats) = self.advance(usize::MAX)? {
                return Ok(stats);
            }
        }
    }

    /// The mean loss and the full-batch gradients at the current weights, without an update (for tests).
    pub fn loss_and_gradients(&mut self) -> (f64, [Vec<f32>; 3]) {
        self.cursor = 0;
        self.begin_step();
        let mut start = 0;
        while start < self.data.train {
            let end = (start + BLOCK).min(self.data.train);
            self.block(start, end);
            start = end;
        }
        (self.totals.stats().train_loss, self.grads.clone())
    }

    /// The optimiser step on every layer, PyTorch's update rules in f32.
    fn update(&mut self) {
        let c = &self.config;
        let t = self.step as i32 + 1;
        let (lr, wd, b1, b2) = (c.lr as f32, c.weight_decay as f32, c.beta1 as f32, c.beta2 as f32);
        let correction1 = 1.0 - c.beta1.powi(t);
        let correction2_sqrt = (1.0 - c.beta2.powi(t)).sqrt() as f32;
        let step_size = (c.lr / correction1) as f32;
        let eps = c.eps as f32;
        for ((w, g), m) in self.weights.iter_mut().zip(&mut self.grads).zip(&mut self.moments) {
            if c.ortho {
                orthogonalise(w, g);
            }
            match c.optimiser {
                OptimiserKind::Sgd => {
                    // torch.optim.SGD: buf = g at the first step, then μ·buf + g; no dampening.
                    for ((w, &g), buf) in w.iter_mut().zip(g.iter()).zip(&mut m.first) {
                        let g = g + wd * *w;
                        *buf = if t == 1 { g } else { b1 * *buf + g };
                        *w -= lr * *buf;
                    }
                }
                OptimiserKind::Adam | OptimiserKind::AdamW => {
                    let decoupled = c.optimiser == OptimiserKind::AdamW;
                    for (((w, &g), first), second) in w.iter_mut().zip(g.iter()).zip(&mut m.first).zip(&mut m.second) {
                        let g = if decoupled {
                            *w *= 1.0 - lr * wd;
                            g
                        } else {
                            g + wd * *w
                        };
                        *first = b1 * *first + (1.0 - b1) * g;
                        *second = b2 * *second + (1.0 - b2) * g * g;
                        *w -= step_size * *first / (second.sqrt() / correction2_sqrt + eps);
                    }
                }
            }
        }
    }

    /// Loss (softmax CE in f64) and accuracy on the test set, forward only.
    pub fn evaluate(&mut self) -> (f64, f64) {
        let (start, end) = (self.data.train, self.data.pairs.len());
        let (mut loss, mut correct) = (0.0, 0usize);
        let mut grad = vec![0.0; self.p];
        let mut at = start;
        while at < end {
            let stop = (at + BLOCK).min(end);
            self.forward(at, stop);
            for (z, &(_, _, label)) in self.scratch.logits.chunks_exact(self.p).zip(&self.data.pairs[at..stop]) {
                let s = softmax_ce(z, label as usize, crate::precision::Precision::F64, 0.0, &mut grad);
                loss += s.loss;
                correct += usize::from(s.correct);
            }
            at = stop;
        }
        let n = (end - start).max(1) as f64;
        (loss / n, correct as f64 / n)
    }

    /// A logged point: `train` from the step just taken, the test set and the weight norms now.
    pub fn metrics(&mut self, train: StepStats) -> Metrics {
        let (test_loss, test_acc) = self.evaluate();
        let weight_norms = [norm(&self.weights[0]), norm(&self.weights[1]), norm(&self.weights[2])];
        Metrics { step: self.step, train, test_loss, test_acc, weight_norms }
    }
}
