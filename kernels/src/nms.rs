//! Hard NMS, linear and Gaussian Soft-NMS (Bodla et al., ICCV 2017, arXiv:1704.04503) with the exact order of
//! operations of the reference `cpu_soft_nms` (ALGORITHMS.md §5.2), and a TensorFlow-convention mode.
//!
//! Three implementations give identical selection orders and bit-identical scores:
//! - [`soft_nms_reference`]: a literal transcription of `cpu_soft_nms` on an array of boxes, which can also record
//!   every step for the lab's animation;
//! - [`soft_nms`]: structure-of-arrays with one fused pass per selected box that rescores the remaining boxes,
//!   flags the ones that fall below the threshold and finds the next maximum. On wasm32 + simd128 that pass is
//!   SIMD128; elsewhere, and in [`soft_nms_scalar`], it is the scalar twin.
//!
//! Semantics shared by all three:
//! - Selection: the first maximum of the remaining scores (by array position) wins ties; a box whose score falls
//!   below the threshold is discarded by moving the last remaining box into its place, as the reference does.
//! - Paper convention: widths and heights get +1 (legacy Fast R-CNN pixels); weights are `0` (hard) or `1 − o`
//!   (linear) when `o > N_t`, and `exp(−o²/σ)` (Gaussian); a box is discarded when its score `< threshold`.
//! - TensorFlow convention (`tf.image.non_max_suppression_with_scores`): no +1; Gaussian weight
//!   `exp(−0.5·o²/σ_TF)`, so σ_TF = σ/2 reproduces the paper, with the hard cut `o > N_t → 0` kept as in older
//!   TensorFlow kernels (pass N_t = 1 to disable it); hard and linear weights are the paper's, without the +1;
//!   scores `≤ threshold` are dropped before the first selection and discarded during it.
//! - Boxes given with x2 < x1 or y2 < y1 are normalised (corners swapped), as TensorFlow does. A box of zero width or
//!   height has IoU 0 with every box. NaN or infinite coordinates or scores are a [`NmsError`]; so are σ ≤ 0 and
//!   non-finite thresholds.
//! - Arithmetic is f32 as in the reference; the Gaussian weight uses the rr2_p5 `exp` (≤ 2.5 ULP) of
//!   [`crate::exp`], evaluated as `exp(o·o·(−1/σ))`.

use crate::exp::exp_neg_unchecked_scalar;
use core::fmt;

/// A detection: corners and a confidence score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    /// Left edge.
    pub x1: f32,
    /// Top edge.
    pub y1: f32,
    /// Right edge.
    pub x2: f32,
    /// Bottom edge.
    pub y2: f32,
    /// Confidence.
    pub score: f32,
}

/// How overlapping boxes are rescored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Classic NMS: a box overlapping the selected one by more than N_t is removed.
    Hard,
    /// Soft-NMS with weight 1 − IoU above N_t.
    Linear,
    /// Soft-NMS with a Gaussian weight of the IoU, for every box.
    Gaussian,
}

/// Whose conventions to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Convention {
    /// Bodla et al.'s `cpu_soft_nms`: +1 pixel sizes, `exp(−o²/σ)`, discard below the threshold.
    Paper,
    /// TensorFlow: no +1, `exp(−0.5·o²/σ)`, hard cut kept, discard at or below the threshold.
    TensorFlow,
}

/// The parameters of one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NmsParams {
    /// Rescoring method.
    pub method: Method,
    /// Conventions.
    pub convention: Convention,
    /// IoU threshold N_t.
    pub iou_threshold: f32,
    /// Gaussian σ (the paper's σ, or σ_TF in the TensorFlow convention).
    pub sigma: f32,
    /// Boxes whose score falls below this are discarded.
    pub score_threshold: f32,
}

impl Default for NmsParams {
    /// The reference defaults: σ = 0.5, N_t = 0.3, threshold 0.001 (`cpu_soft_nms`), Gaussian, paper convention.
    fn default() -> Self {
        Self {
            method: Method::Gaussian,
            convention: Convention::Paper,
            iou_threshold: 0.3,
            sigma: 0.5,
            score_threshold: 0.001,
        }
    }
}

/// A kept box: its index in the input and its decayed score. Results come in selection order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kept {
    /// Index into the input slice.
    pub index: usize,
    /// The score after every decay.
    pub score: f32,
}

/// Bad input to Soft-NMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NmsError {
    /// Box `index` has a NaN or infinite coordinate or score.
    NonFinite {
        /// Index of the offending box.
        index: usize,
    },
    /// A parameter is out of its domain.
    Parameter(&'static str),
}

impl fmt::Display for NmsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NonFinite { index } => write!(f, "box {index} has a coordinate or score that is not a finite number"),
            Self::Parameter(what) => write!(f, "{what}"),
        }
    }
}

impl std::error::Error for NmsError {}

/// The per-run constants derived from the parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Rules {
    method: Method,
    offset: f32,
    iou_threshold: f32,
    /// Multiplies o² inside the exponential: −1/σ (paper) or −0.5/σ (TensorFlow).
    gaussian_coefficient: f32,
    /// TensorFlow keeps the hard cut at N_t for the Gaussian method too.
    gaussian_cut: bool,
    score_threshold: f32,
    /// TensorFlow discards at `≤ threshold`, the paper at `< threshold`.
    discard_at_threshold: bool,
}

impl Rules {
    fn new(params: &NmsParams) -> Result<Self, NmsError> {
        // NOTE: with N_t ≥ 0, boxes that do not overlap (IoU 0) keep weight 1 in every method, exactly as the
        // reference, which skips them; the fast pass relies on it to skip vectors without any overlap.
        if !(0.0..=1.0).contains(&params.iou_threshold) {
            return Err(NmsError::Parameter("the IoU threshold must be between 0 and 1"));
        }
        if !params.score_threshold.is_finite() {
            return Err(NmsError::Parameter("the score threshold must be a finite number"));
        }
        if params.method == Method::Gaussian && !(params.sigma > 0.0 && params.sigma.is_finite()) {
            return Err(NmsError::Parameter("σ must be a positive finite number"));
        }
        let tf = params.convention == Convention::TensorFlow;
        Ok(Self {
            method: params.method,
            offset: if tf { 0.0 } else { 1.0 },
            iou_threshold: params.iou_threshold,
            gaussian_coefficient: if tf { -0.5 / params.sigma } else { -1.0 / params.sigma },
            gaussian_cut: tf,
            score_threshold: params.score_threshold,
            discard_at_threshold: tf,
        })
    }

    #[inline]
    fn discards(&self, score: f32) -> bool {
        score < self.score_threshold || (self.discard_at_threshold && score == self.score_threshold)
    }

    /// `score` rescored for an IoU `o`. Like the reference, boxes without overlap are left alone (their weight
    /// would be exactly 1 anyway, since N_t ≥ 0).
    #[inline]
    fn rescored(&self, score: f32, o: f32) -> f32 {
        if o > 0.0 {
            score * self.weight(o)
        } else {
            score
        }
    }

    /// The rescoring weight of an IoU `o`.
    #[inline]
    fn weight(&self, o: f32) -> f32 {
        let above = o > self.iou_threshold;
        match self.method {
            Method::Hard => {
                if above {
                    0.0
                } else {
                    1.0
                }
            }
            Method::Linear => {
                if above {
                    1.0 - o
                } else {
                    1.0
                }
            }
            Method::Gaussian => {
                if self.gaussian_cut && above {
                    0.0
                } else {
                    exp_neg_unchecked_scalar(o * o * self.gaussian_coefficient)
                }
            }
        }
    }
}

/// A box with sorted corners and its area under the convention's offset (0 for a zero-width or zero-height box).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Prepared {
    x1: f32,
    y1: f32,
    x2: f32,
    y2: f32,
    area: f32,
    score: f32,
    index: usize,
}

fn prepare(boxes: &[Detection], rules: &Rules) -> Result<Vec<Prepared>, NmsError> {
    let mut prepared = Vec::with_capacity(boxes.len());
    for (index, b) in boxes.iter().enumerate() {
        if ![b.x1, b.y1, b.x2, b.y2, b.score].iter().all(|v| v.is_finite()) {
            return Err(NmsError::NonFinite { index });
        }
        // TensorFlow drops boxes at or below the threshold before it starts.
        if rules.discard_at_threshold && rules.discards(b.score) {
            continue;
        }
        prepared.push(prepare_one(b, index, rules.offset));
    }
    Ok(prepared)
}

fn prepare_one(b: &Detection, index: usize, offset: f32) -> Prepared {
    let (x1, x2) = if b.x2 < b.x1 { (b.x2, b.x1) } else { (b.x1, b.x2) };
    let (y1, y2) = if b.y2 < b.y1 { (b.y2, b.y1) } else { (b.y1, b.y2) };
    // NOTE: written so that NaN corners also count as degenerate (every comparison with NaN is false).
    let proper = x2 > x1 && y2 > y1;
    let area = if proper { (x2 - x1 + offset) * (y2 - y1 + offset) } else { 0.0 };
    Prepared { x1, y1, x2, y2, area, score: b.score, index }
}

/// IoU of two prepared boxes, in the reference's operation order; 0 when they do not overlap or one is degenerate.
#[inline]
fn overlap(m: &Prepared, b: &Prepared, offset: f32) -> f32 {
    let iw = pmin(m.x2, b.x2) - pmax(m.x1, b.x1) + offset;
    let ih = pmin(m.y2, b.y2) - pmax(m.y1, b.y1) + offset;
    if iw > 0.0 && ih > 0.0 && m.area > 0.0 && b.area > 0.0 {
        let inter = iw * ih;
        inter / (m.area + b.area - inter)
    } else {
        0.0
    }
}

/// `b < a ? b : a`, the exact semantics of `f32x4.pmin`, so both twins agree bit for bit.
#[inline]
fn pmin(a: f32, b: f32) -> f32 {
    if b < a {
        b
    } else {
        a
    }
}

/// `a < b ? b : a`, the exact semantics of `f32x4.pmax`.
#[inline]
fn pmax(a: f32, b: f32) -> f32 {
    if a < b {
        b
    } else {
        a
    }
}

/// One rescoring of the lab's animation: a remaining box, its IoU with the selected box and its scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decay {
    /// Index into the input.
    pub index: usize,
    /// IoU with the selected box.
    pub iou: f32,
    /// Score before this step.
    pub before: f32,
    /// Score after this step.
    pub after: f32,
    /// Whether the box fell below the threshold and was discarded.
    pub discarded: bool,
}

/// One selection of the animation: the selected box and what happened to every remaining one.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Index into the input of the selected box.
    pub selected: usize,
    /// Its score when selected.
    pub score: f32,
    /// The remaining boxes, in the order the reference visits them.
    pub decays: Vec<Decay>,
}

/// The literal transcription of `cpu_soft_nms` (ALGORITHMS.md §5.2); `trace` receives every step when given.
pub fn soft_nms_reference(
    boxes: &[Detection],
    params: &NmsParams,
    mut trace: Option<&mut Vec<Step>>,
) -> Result<Vec<Kept>, NmsError> {
    let rules = Rules::new(params)?;
    let mut rows = prepare(boxes, &rules)?;
    let mut n = rows.len();
    let mut i = 0;
    while i < n {
        let mut max_pos = i;
        for pos in i + 1..n {
            if rows[max_pos].score < rows[pos].score {
                max_pos = pos;
            }
        }
        rows.swap(i, max_pos);
        let m = rows[i];
        let mut decays = Vec::new();
        let mut pos = i + 1;
        while pos < n {
            let o = overlap(&m, &rows[pos], rules.offset);
            let before = rows[pos].score;
            rows[pos].score = rules.rescored(rows[pos].score, o);
            let discarded = rules.discards(rows[pos].score);
            if trace.is_some() {
                decays.push(Decay { index: rows[pos].index, iou: o, before, after: rows[pos].score, discarded });
            }
            if discarded {
                rows[pos] = rows[n - 1];
                n -= 1;
            } else {
                pos += 1;
            }
        }
        if let Some(steps) = trace.as_deref_mut() {
            steps.push(Step { selected: m.index, score: m.score, decays });
        }
        i += 1;
    }
    Ok(rows[..n].iter().map(|r| Kept { index: r.index, score: r.score }).collect())
}

/// Reusable structure-of-arrays storage for [`soft_nms`], so repeated runs do not allocate.
#[derive(Debug, Default, Clone)]
pub struct NmsWorkspace {
    x1: Vec<f32>,
    y1: Vec<f32>,
    x2: Vec<f32>,
    y2: Vec<f32>,
    area: Vec<f32>,
    score: Vec<f32>,
    index: Vec<u32>,
    /// Positions the last pass flagged as below the threshold, ascending.
    discarded: Vec<u32>,
}

impl NmsWorkspace {
    fn load(&mut self, rows: &[Prepared]) {
        let columns = [&mut self.x1, &mut self.y1, &mut self.x2, &mut self.y2, &mut self.area, &mut self.score];
        for column in columns {
            column.clear();
        }
        self.index.clear();
        for r in rows {
            self.x1.push(r.x1);
            self.y1.push(r.y1);
            self.x2.push(r.x2);
            self.y2.push(r.y2);
            self.area.push(r.area);
            self.score.push(r.score);
            self.index.push(r.index as u32);
        }
    }

    fn row(&self, i: usize) -> Prepared {
        Prepared {
            x1: self.x1[i],
            y1: self.y1[i],
            x2: self.x2[i],
            y2: self.y2[i],
            area: self.area[i],
            score: self.score[i],
            index: self.index[i] as usize,
        }
    }

    fn swap(&mut self, a: usize, b: usize) {
        self.x1.swap(a, b);
        self.y1.swap(a, b);
        self.x2.swap(a, b);
        self.y2.swap(a, b);
        self.area.swap(a, b);
        self.score.swap(a, b);
        self.index.swap(a, b);
    }

    fn copy_row(&mut self, from: usize, to: usize) {
        self.x1[to] = self.x1[from];
        self.y1[to] = self.y1[from];
        self.x2[to] = self.x2[from];
        self.y2[to] = self.y2[from];
        self.area[to] = self.area[from];
        self.score[to] = self.score[from];
        self.index[to] = self.index[from];
    }

    /// Moves the last row into every discarded position, in the reference's order, and returns the new `n` with
    /// the position of the first maximum among the survivors, given where the pass found it before the moves.
    ///
    /// PERF: the pass lists the discarded positions, so this costs O(discards), not a scan of the survivors.
    fn compact(&mut self, mut n: usize, best: PassResult, rules: &Rules) -> (usize, Option<usize>) {
        let mut first_best_moved = false;
        let mut moved_best: Option<usize> = None;
        for k in 0..self.discarded.len() {
            let hole = self.discarded[k] as usize;
            while hole < n {
                let last = n - 1;
                let last_score = self.score[last];
                self.copy_row(last, hole);
                n -= 1;
                if rules.discards(last_score) {
                    // The hole now holds another discarded row: fill it again.
                    continue;
                }
                if let Some((best_score, best_pos)) = best {
                    first_best_moved |= last == best_pos;
                    if last_score == best_score {
                        moved_best = Some(moved_best.map_or(hole, |m| m.min(hole)));
                    }
                }
                break;
            }
        }
        // Survivors move at most once and only into earlier holes, so the first maximum is either where the pass
        // saw it or the earliest hole that received a row with the maximum score.
        let unmoved = best.filter(|_| !first_best_moved).map(|(_, p)| p);
        let next = match (unmoved, moved_best) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        (n, next)
    }
}

/// What one fused pass found among the rescored boxes (the discarded ones are listed in the workspace): the score
/// and position of the first maximum among the boxes that stay, if any stay.
type PassResult = Option<(f32, usize)>;

/// The first position of the maximum score in `lo..hi`.
fn argmax(scores: &[f32], lo: usize, hi: usize) -> Option<usize> {
    (lo < hi).then(|| (lo + 1..hi).fold(lo, |best, pos| if scores[best] < scores[pos] { pos } else { best }))
}

/// Rescores `lo..hi` one box at a time against `selected`, continuing the discard list and the running maximum:
/// the whole scalar twin, and the tail of the SIMD128 pass.
fn rescore_scalar(
    ws: &mut NmsWorkspace,
    selected: &Prepared,
    lo: usize,
    hi: usize,
    rules: &Rules,
    mut best: PassResult,
) -> PassResult {
    for pos in lo..hi {
        let o = overlap(selected, &ws.row(pos), rules.offset);
        let score = rules.rescored(ws.score[pos], o);
        ws.score[pos] = score;
        if rules.discards(score) {
            ws.discarded.push(pos as u32);
        } else if best.is_none_or(|(s, _)| s < score) {
            best = Some((score, pos));
        }
    }
    best
}

/// The scalar twin of the fused pass: rescore `lo..hi` against the box at `m`, list discards, find the maximum.
fn rescore_pass_scalar(ws: &mut NmsWorkspace, m: usize, lo: usize, hi: usize, rules: &Rules) -> PassResult {
    let selected = ws.row(m);
    ws.discarded.clear();
    rescore_scalar(ws, &selected, lo, hi, rules, None)
}

type Pass = fn(&mut NmsWorkspace, usize, usize, usize, &Rules) -> PassResult;

fn run(boxes: &[Detection], params: &NmsParams, ws: &mut NmsWorkspace, pass: Pass) -> Result<Vec<Kept>, NmsError> {
    let rules = Rules::new(params)?;
    ws.load(&prepare(boxes, &rules)?);
    let mut n = ws.score.len();
    let mut kept = Vec::new();
    let mut next = argmax(&ws.score, 0, n);
    let mut i = 0;
    while let Some(max_pos) = next {
        ws.swap(i, max_pos);
        let best = pass(ws, i, i + 1, n, &rules);
        next = if ws.discarded.is_empty() {
            best.map(|(_, pos)| pos)
        } else {
            let (remaining, next) = ws.compact(n, best, &rules);
            n = remaining;
            next
        };
        kept.push(Kept { index: ws.index[i] as usize, score: ws.score[i] });
        i += 1;
    }
    Ok(kept)
}

/// Soft-NMS with the scalar twin of the fused pass (what [`soft_nms`] runs off wasm).
pub fn soft_nms_scalar(boxes: &[Detection], params: &NmsParams, ws: &mut NmsWorkspace) -> Result<Vec<Kept>, NmsError> {
    run(boxes, params, ws, rescore_pass_scalar)
}

/// Soft-NMS, fast: the SIMD128 fused pass on wasm32, the scalar twin elsewhere. Kept boxes in selection order.
pub fn soft_nms(boxes: &[Detection], params: &NmsParams, ws: &mut NmsWorkspace) -> Result<Vec<Kept>, NmsError> {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        run(boxes, params, ws, simd128::rescore_pass)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        soft_nms_scalar(boxes, params, ws)
    }
}

/// A seeded scene: `objects` boxes placed in a `width` × `height` image, each surrounded by `per_object` jittered
/// detections with uniform scores in [0.05, 1): the clustered input of the benchmarks and the lab.
pub fn clustered_scene(objects: usize, per_object: usize, width: f32, height: f32, seed: u64) -> Vec<Detection> {
    let mut rng = crate::rng::SplitMix64::new(seed);
    let (width, height) = (f64::from(width), f64::from(height));
    let mut boxes = Vec::with_capacity(objects * per_object);
    for _ in 0..objects {
        let w = rng.uniform(0.06, 0.25) * width;
        let h = rng.uniform(0.1, 0.4) * height;
        let cx = rng.uniform(w / 2.0, width - w / 2.0);
        let cy = rng.uniform(h / 2.0, height - h / 2.0);
        for _ in 0..per_object {
            let x = cx + 0.12 * w * rng.normal();
            let y = cy + 0.12 * h * rng.normal();
            let bw = w * (1.0 + 0.1 * rng.normal()).max(0.3);
            let bh = h * (1.0 + 0.1 * rng.normal()).max(0.3);
            boxes.push(Detection {
                x1: (x - bw / 2.0).clamp(0.0, width) as f32,
                y1: (y - bh / 2.0).clamp(0.0, height) as f32,
                x2: (x + bw / 2.0).clamp(0.0, width) as f32,
                y2: (y + bh / 2.0).clamp(0.0, height) as f32,
                score: rng.uniform(0.05, 1.0) as f32,
            });
        }
    }
    boxes
}

/// IoU of two boxes under a convention, with corners normalised; 0 for a degenerate or non-finite box.
pub fn iou(a: &Detection, b: &Detection, convention: Convention) -> f32 {
    let offset = if convention == Convention::Paper { 1.0 } else { 0.0 };
    overlap(&prepare_one(a, 0, offset), &prepare_one(b, 1, offset), offset)
}

/// The SIMD128 fused pass.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128 {
    use super::{rescore_scalar, Method, NmsWorkspace, PassResult, Rules};
    use crate::exp::simd128::ExpConstants;
    use core::arch::wasm32::*;

    /// Rescores `lo..hi` against the box at `m`, four boxes per step; bit-identical to the scalar twin.
    pub(super) fn rescore_pass(ws: &mut NmsWorkspace, m: usize, lo: usize, hi: usize, rules: &Rules) -> PassResult {
        let selected = ws.row(m);
        let (mx1, my1, mx2, my2) =
            (f32x4_splat(selected.x1), f32x4_splat(selected.y1), f32x4_splat(selected.x2), f32x4_splat(selected.y2));
        let m_area = f32x4_splat(selected.area);
        let m_valid = if selected.area > 0.0 { u32x4_splat(u32::MAX) } else { u32x4_splat(0) };
        let offset = f32x4_splat(rules.offset);
        let threshold = f32x4_splat(rules.iou_threshold);
        let coefficient = f32x4_splat(rules.gaussian_coefficient);
        let score_threshold = f32x4_splat(rules.score_threshold);
        let (zero, one) = (f32x4_splat(0.0), f32x4_splat(1.0));
        let exp = ExpConstants::new();

        ws.discarded.clear();
        let mut best = f32x4_splat(f32::NEG_INFINITY);
        let mut best_pos = i32x4_splat(-1);
        let mut lane_pos = i32x4(lo as i32, lo as i32 + 1, lo as i32 + 2, lo as i32 + 3);
        let four = i32x4_splat(4);

        let vector_end = lo + (hi - lo) / 4 * 4;
        let mut pos = lo;
        while pos < vector_end {
            // SAFETY: pos + 3 < vector_end ≤ hi ≤ every column's length; unaligned loads and stores are allowed.
            let (x1, y1, x2, y2, area, mut score) = unsafe {
                (
                    v128_load(ws.x1.as_ptr().add(pos) as *const v128),
                    v128_load(ws.y1.as_ptr().add(pos) as *const v128),
                    v128_load(ws.x2.as_ptr().add(pos) as *const v128),
                    v128_load(ws.y2.as_ptr().add(pos) as *const v128),
                    v128_load(ws.area.as_ptr().add(pos) as *const v128),
                    v128_load(ws.score.as_ptr().add(pos) as *const v128),
                )
            };
            let iw = f32x4_add(f32x4_sub(f32x4_pmin(mx2, x2), f32x4_pmax(mx1, x1)), offset);
            let ih = f32x4_add(f32x4_sub(f32x4_pmin(my2, y2), f32x4_pmax(my1, y1)), offset);
            let valid =
                v128_and(v128_and(f32x4_gt(iw, zero), f32x4_gt(ih, zero)), v128_and(f32x4_gt(area, zero), m_valid));
            // PERF: most boxes of a scene lie far from the selected one; with IoU 0 the weight is exactly 1
            // (N_t ≥ 0 is enforced), so the division, the exponential and the store can be skipped.
            if v128_any_true(valid) {
                let inter = f32x4_mul(iw, ih);
                let union = f32x4_sub(f32x4_add(m_area, area), inter);
                // Lanes without overlap divide garbage by garbage; the mask turns them into IoU 0.
                let o = v128_and(f32x4_div(inter, union), valid);
                let above = f32x4_gt(o, threshold);
                let weight = match rules.method {
                    Method::Hard => v128_andnot(one, above),
                    Method::Linear => v128_bitselect(f32x4_sub(one, o), one, above),
                    Method::Gaussian => {
                        let w = exp.exp_neg_unchecked(f32x4_mul(f32x4_mul(o, o), coefficient));
                        if rules.gaussian_cut {
                            v128_andnot(w, above)
                        } else {
                            w
                        }
                    }
                };
                score = f32x4_mul(score, weight);
                // SAFETY: as above.
                unsafe { v128_store(ws.score.as_mut_ptr().add(pos) as *mut v128, score) };
            }
            let discard = if rules.discard_at_threshold {
                f32x4_le(score, score_threshold)
            } else {
                f32x4_lt(score, score_threshold)
            };
            let lanes = i32x4_bitmask(discard);
            if lanes != 0 {
                for lane in 0..4 {
                    if lanes & (1 << lane) != 0 {
                        ws.discarded.push((pos + lane) as u32);
                    }
                }
            }
            // Strictly greater keeps the first maximum within each lane.
            let better = v128_andnot(f32x4_gt(score, best), discard);
            best = v128_bitselect(score, best, better);
            best_pos = v128_bitselect(lane_pos, best_pos, better);
            lane_pos = i32x4_add(lane_pos, four);
            pos += 4;
        }

        // Across lanes: the largest score, and among equal scores the smallest position.
        let mut argmax: PassResult = None;
        let per_lane: [(f32, i32); 4] = [
            (f32x4_extract_lane::<0>(best), i32x4_extract_lane::<0>(best_pos)),
            (f32x4_extract_lane::<1>(best), i32x4_extract_lane::<1>(best_pos)),
            (f32x4_extract_lane::<2>(best), i32x4_extract_lane::<2>(best_pos)),
            (f32x4_extract_lane::<3>(best), i32x4_extract_lane::<3>(best_pos)),
        ];
        for (score, position) in per_lane {
            if position < 0 {
                continue;
            }
            let position = position as usize;
            argmax = match argmax {
                Some((s, p)) if s > score || (s == score && p < position) => Some((s, p)),
                _ => Some((score, position)),
            };
        }

        // The tail, in the scalar twin's arithmetic.
        rescore_scalar(ws, &selected, vector_end, hi, rules, argmax)
    }
}
