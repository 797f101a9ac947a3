//! The grokking lab's pure model: the run's URL state and presets, the exports of a run, and where float32
//! cross-entropy collapses to exactly zero (Softmax Collapse) for one sample.

use crate::url_state::{Choice, Chosen};
use softscope_kernels::exp::exp_neg_scalar;
use softscope_kernels::grok::{Config, LossKind, Metrics, OptimiserKind, Task};
use softscope_kernels::precision::Precision;

impl Choice for Task {
    const ALL: &'static [Self] = &[Task::Add, Task::Sub, Task::Mul, Task::Div];
    fn slug(self) -> &'static str {
        match self {
            Task::Add => "add",
            Task::Sub => "sub",
            Task::Mul => "mul",
            Task::Div => "div",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Task::Add => "a + b mod p",
            Task::Sub => "a − b mod p",
            Task::Mul => "a · b mod p",
            Task::Div => "a ÷ b mod p",
        }
    }
}

impl Choice for LossKind {
    const ALL: &'static [Self] = &[LossKind::Softmax, LossKind::StableMax];
    fn slug(self) -> &'static str {
        match self {
            LossKind::Softmax => "softmax",
            LossKind::StableMax => "stablemax",
        }
    }
    fn label(self) -> &'static str {
        match self {
            LossKind::Softmax => "Softmax cross-entropy",
            LossKind::StableMax => "StableMax cross-entropy (f64)",
        }
    }
}

impl Choice for OptimiserKind {
    const ALL: &'static [Self] = &[OptimiserKind::AdamW, OptimiserKind::Adam, OptimiserKind::Sgd];
    fn slug(self) -> &'static str {
        match self {
            OptimiserKind::Sgd => "sgd",
            OptimiserKind::Adam => "adam",
            OptimiserKind::AdamW => "adamw",
        }
    }
    fn label(self) -> &'static str {
        match self {
            OptimiserKind::Sgd => "SGD with momentum",
            OptimiserKind::Adam => "Adam",
            OptimiserKind::AdamW => "AdamW",
        }
    }
}

/// The order in which the normaliser Σ exp(z − m) is accumulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SumOrder {
    /// Start at the correct class's 1.0 and add each tiny term: each is absorbed on its own.
    LargestFirst,
    /// Add the tiny terms first, then 1.0: their sum may survive.
    SmallestFirst,
}

impl Choice for SumOrder {
    const ALL: &'static [Self] = &[Self::LargestFirst, Self::SmallestFirst];
    fn slug(self) -> &'static str {
        match self {
            Self::LargestFirst => "largest-first",
            Self::SmallestFirst => "smallest-first",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Self::LargestFirst => "Largest term first",
            Self::SmallestFirst => "Smallest terms first",
        }
    }
}

crate::url_state! {
    /// The grokking lab's parameters, all in the URL: the same URL trains the same run, bit for bit.
    pub struct GrokkingParams {
        task: Chosen<Task> = Chosen(Task::Add), "Task";
        p: u32 = 31, range(3, 113), "Modulus p";
        train_fraction: f64 = 0.8, range(0.05, 0.95), "Train fraction";
        width: u32 = 128, range(8, 512), "Hidden width";
        loss: Chosen<LossKind> = Chosen(LossKind::Softmax), "Loss";
        precision: Chosen<Precision> = Chosen(Precision::F32), "Softmax precision";
        optimiser: Chosen<OptimiserKind> = Chosen(OptimiserKind::AdamW), "Optimiser";
        lr: f64 = 0.005, range(1e-5, 10.0), "Learning rate";
        weight_decay: f64 = 0.0, range(0.0, 10.0), "Weight decay";
        beta1: f64 = 0.9, range(0.0, 0.999), "β₁ / momentum";
        beta2: f64 = 0.99, range(0.0, 0.9999), "β₂";
        eps: f64 = 1e-25, range(1e-30, 1e-3), "Adam ε";
        ortho: bool = false, "⊥Grad";
        seed: u64 = 42, "Seed";
        log_every: u32 = 10, range(1, 1000), "Log every";
        max_steps: u32 = 3000, range(1, 100000), "Last step";
        competitors: u32 = 1, range(1, 112), "Wrong classes";
        order: Chosen<SumOrder> = Chosen(SumOrder::LargestFirst), "Summation order";
    }
}

impl GrokkingParams {
    /// The run these parameters describe.
    pub fn config(&self) -> Config {
        Config {
            task: self.task.0,
            p: self.p,
            train_fraction: self.train_fraction,
            width: self.width,
            loss: self.loss.0,
            precision: self.precision.0,
            optimiser: self.optimiser.0,
            lr: self.lr,
            weight_decay: self.weight_decay,
            beta1: self.beta1,
            beta2: self.beta2,
            eps: self.eps,
            ortho: self.ortho,
            seed: self.seed,
        }
    }

    /// These parameters with the run settings of `preset` (the one-sample collapse panel keeps its own).
    pub fn with_preset(&self, preset: &Preset) -> Self {
        let mut next = Self { competitors: self.competitors, order: self.order, ..Self::default() };
        (preset.apply)(&mut next);
        next
    }
}

/// A named configuration that shows one of the paper's findings within two minutes in a browser.
pub struct Preset {
    /// Its name in the page and in tests.
    pub slug: &'static str,
    /// Its name for people.
    pub label: &'static str,
    /// What to watch for.
    pub watch: &'static str,
    /// Changes from the lab's defaults (p = 31, width 128, 80% train, AdamW lr 0.005, ε 1e-25, f32, no decay).
    pub apply: fn(&mut GrokkingParams),
}

/// The presets, in the order of the paper's story.
pub const PRESETS: [Preset; 6] = [
    Preset {
        slug: "collapse",
        label: "Softmax Collapse",
        watch: "Train accuracy reaches 100% at once; the logits keep growing until most training losses are exactly             zero in float32, and test accuracy stays near zero.",
        apply: |_| {},
    },
    Preset {
        slug: "stablemax",
        label: "Rescue: StableMax",
        watch: "No weight decay: StableMax's loss never rounds to zero, and test accuracy rises.",
        apply: |p| {
            p.loss = Chosen(LossKind::StableMax);
            p.max_steps = 4000;
        },
    },
    Preset {
        slug: "orthograd",
        label: "Rescue: ⊥Grad",
        watch: "With the gradient's component along the weights removed, the logits cannot just grow: the model             generalises within a few hundred steps.",
        apply: |p| {
            p.ortho = true;
            p.max_steps = 1000;
        },
    },
    Preset {
        slug: "weight-decay",
        label: "Weight decay",
        watch: "Decoupled weight decay keeps the weights small: no collapse, and test accuracy climbs.",
        apply: |p| p.weight_decay = 1.0,
    },
    Preset {
        slug: "f64",
        label: "f64 delays collapse",
        watch: "The same run with the loss in float64: 1 + e^(−g) stays above 1 until g ≈ 37, so collapse comes             much later, if at all.",
        apply: |p| p.precision = Chosen(Precision::F64),
    },
    Preset {
        slug: "f16",
        label: "f16 collapses first",
        watch: "In float16 1 + e^(−g) rounds to 1 from g ≈ 7.6: collapse within tens of steps.",
        apply: |p| {
            p.precision = Chosen(Precision::F16);
            p.max_steps = 1000;
        },
    },
];

/// One preset's recorded run.
pub struct Recorded {
    /// The preset's label.
    pub preset: &'static str,
    /// Steps run.
    pub steps: u64,
    /// First step with more than half of the training samples collapsed.
    pub collapse_step: Option<u64>,
    /// Final train accuracy.
    pub train_acc: f64,
    /// Final test accuracy.
    pub test_acc: f64,
}

/// The presets' results, recorded with the `grok_run` example of the kernels crate, which runs the same
/// deterministic code natively (see the README). For StableMax the collapse column is the softmax test on its
/// logits: they would have collapsed under softmax, but its own loss never rounds to zero.
pub const RECORDED: [Recorded; 6] = [
    Recorded { preset: "Softmax Collapse", steps: 3000, collapse_step: Some(1810), train_acc: 1.0, test_acc: 0.0 },
    Recorded { preset: "Rescue: StableMax", steps: 4000, collapse_step: Some(120), train_acc: 1.0, test_acc: 0.979 },
    Recorded { preset: "Rescue: ⊥Grad", steps: 1000, collapse_step: None, train_acc: 1.0, test_acc: 1.0 },
    Recorded { preset: "Weight decay", steps: 3000, collapse_step: None, train_acc: 1.0, test_acc: 1.0 },
    Recorded { preset: "f64 delays collapse", steps: 3000, collapse_step: None, train_acc: 1.0, test_acc: 0.0 },
    Recorded { preset: "f16 collapses first", steps: 1000, collapse_step: Some(400), train_acc: 1.0, test_acc: 0.0 },
];

/// The first logged step at which more than half of the training samples were in Softmax Collapse.
pub fn collapse_step(points: &[Metrics]) -> Option<u64> {
    points.iter().find(|m| m.train.collapse > 0.5).map(|m| m.step)
}

/// A run's points as CSV, one row per logged step.
pub fn run_csv(points: &[Metrics]) -> String {
    let mut csv = String::from(
        "step,train_loss,train_acc,test_loss,test_acc,collapse,zero_loss,logit_norm,w1_norm,w2_norm,w3_norm\n",
    );
    for m in points {
        let t = &m.train;
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{}\n",
            m.step,
            t.train_loss,
            t.train_acc,
            m.test_loss,
            m.test_acc,
            t.collapse,
            t.zero_loss,
            t.logit_norm,
            m.weight_norms[0],
            m.weight_norms[1],
            m.weight_norms[2]
        ));
    }
    csv
}

/// A run as JSON: its configuration and its points.
pub fn run_json(config: &Config, points: &[Metrics]) -> String {
    serde_json::to_string_pretty(&serde_json::json!({ "config": config, "points": points })).unwrap_or_default()
}

/// The f32 normaliser S = 1 + k·e^(−g) for a correct logit `g` above `k` equal competitors, summed in `order`.
pub fn normaliser_f32(gap: f32, competitors: u32, order: SumOrder) -> f32 {
    let term = exp_neg_scalar(-gap);
    match order {
        SumOrder::LargestFirst => (0..competitors).fold(1.0f32, |s, _| s + term),
        SumOrder::SmallestFirst => 1.0 + (0..competitors).fold(0.0f32, |s, _| s + term),
    }
}

/// Cross-entropy of the correct class in f32: ln S, exactly 0 once S rounds to 1.
pub fn loss_f32(gap: f32, competitors: u32, order: SumOrder) -> f32 {
    normaliser_f32(gap, competitors, order).ln()
}

/// The exact loss ln(1 + k·e^(−g)) in f64.
pub fn loss_f64(gap: f64, competitors: u32) -> f64 {
    (f64::from(competitors) * (-gap).exp()).ln_1p()
}

/// The one-sample loss curve as CSV: gap, float32 loss (exact zeros included), float64 loss, over gaps 0 to 25.
pub fn collapse_csv(competitors: u32, order: SumOrder) -> String {
    let mut csv = String::from("gap,loss_f32,loss_f64\n");
    for i in 0..=500 {
        let gap = f64::from(i) * 0.05;
        csv.push_str(&format!("{gap},{},{}\n", loss_f32(gap as f32, competitors, order), loss_f64(gap, competitors)));
    }
    csv
}

/// The smallest gap (to 0.01) from which the f32 loss is exactly zero: the onset of Softmax Collapse.
pub fn collapse_gap(competitors: u32, order: SumOrder) -> Option<f32> {
    (0..=4000).map(|i| i as f32 * 0.01).find(|&g| normaliser_f32(g, competitors, order) == 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url_state::UrlState;

    #[test]
    fn presets_round_trip_through_the_url() {
        for preset in &PRESETS {
            let params = GrokkingParams::default().with_preset(preset);
            let (back, notices) = GrokkingParams::from_query_string(&params.to_query_string());
            assert_eq!((back.config(), notices), (params.config(), vec![]), "{}", preset.slug);
            params.config().validate().unwrap();
        }
        assert!(GrokkingParams::from_query_string("p=2").1.len() == 1);
        assert!(GrokkingParams::from_query_string("task=pow").1.len() == 1);
    }

    #[test]
    fn runs_export_as_csv_and_json() {
        let points = vec![Metrics { step: 10, ..Default::default() }, Metrics { step: 20, ..Default::default() }];
        let csv = run_csv(&points);
        assert_eq!(csv.lines().count(), 3);
        assert!(csv.lines().nth(2).unwrap().starts_with("20,"));
        let json: serde_json::Value = serde_json::from_str(&run_json(&Config::default(), &points)).unwrap();
        assert_eq!(json["points"].as_array().unwrap().len(), 2);
        assert_eq!(json["config"]["p"], 113);
    }

    #[test]
    fn collapse_step_is_the_first_past_half() {
        let at = |step, collapse| Metrics {
            step,
            train: softscope_kernels::grok::StepStats { collapse, ..Default::default() },
            ..Default::default()
        };
        assert_eq!(collapse_step(&[at(1, 0.1), at(2, 0.6), at(3, 0.9)]), Some(2));
        assert_eq!(collapse_step(&[at(1, 0.5)]), None);
    }

    #[test]
    fn reproduces_the_two_logit_fixture() {
        // ALGORITHMS.md §4.7: g = 16 → S = 1 + 2^-23; g = 16.5 → same; g = 16.7 and 17 → exactly 1, loss 0.
        assert_eq!(normaliser_f32(16.0, 1, SumOrder::LargestFirst), 1.0 + f32::EPSILON);
        assert_eq!(normaliser_f32(16.5, 1, SumOrder::LargestFirst), 1.0 + f32::EPSILON);
        assert_eq!(loss_f32(16.7, 1, SumOrder::LargestFirst), 0.0);
        assert_eq!(loss_f32(17.0, 1, SumOrder::LargestFirst), 0.0);
        let onset = collapse_gap(1, SumOrder::LargestFirst).unwrap();
        assert!((16.6..=16.7).contains(&onset), "{onset}");
    }

    #[test]
    fn summation_order_decides_collapse_with_many_competitors() {
        // §4.7: 112 competitors at g = 18: largest-first gives exactly 1, smallest-first 1.0000016689.
        assert_eq!(normaliser_f32(18.0, 112, SumOrder::LargestFirst), 1.0);
        let s = normaliser_f32(18.0, 112, SumOrder::SmallestFirst);
        assert!((f64::from(s) - 1.000_001_668_9).abs() < 2e-7, "{s}");
    }

    #[test]
    fn the_collapse_curve_exports_as_csv() {
        let csv = collapse_csv(1, SumOrder::LargestFirst);
        assert_eq!(csv.lines().count(), 502);
        assert!(csv.lines().last().unwrap().starts_with("25,0,"), "float32 is exactly 0 at g = 25");
    }

    #[test]
    fn f64_loss_never_collapses_in_this_range() {
        assert!(loss_f64(30.0, 1) > 0.0);
        assert!((loss_f64(0.0, 1) - std::f64::consts::LN_2).abs() < 1e-15);
    }
}
